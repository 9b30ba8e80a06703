import type { MallId } from '../catalog/schemas';

/** The syncCursors row of a mall's order reading. */
export const ordersCursorId = (mall: MallId) => `${mall}:orders`;
