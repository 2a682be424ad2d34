import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('anpr', 'ANPR — Anagrafe nazionale della popolazione residente', 'The national resident-population registry (issue 4).');
