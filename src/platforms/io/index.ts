import { emptyRoom } from '../empty-room.ts';

export default emptyRoom('io', 'IO — Services API', 'Messages to citizens through the IO app (issue 7).');
