import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('pdnd', 'PDND — Piattaforma Digitale Nazionale Dati', 'The interoperability platform: e-services and vouchers (issue 4).');
