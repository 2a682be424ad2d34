import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('pagopa', 'pagoPA', 'Payments to the public administration (issue 6).');
