import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('send', 'SEND — Servizio Notifiche Digitali', 'Legal-value notifications.');
