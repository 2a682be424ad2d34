import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('inad', 'INAD — Indice nazionale dei domicili digitali', 'Digital domiciles.');
