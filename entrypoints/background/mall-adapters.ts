import type { MallId } from '@/lib/catalog/schemas';
import type { MallAdapter } from '@/lib/malls/types';

/** The adapters of every mall with stored credentials. */
export async function connectedAdapters(): Promise<Partial<Record<MallId, MallAdapter>>> {
  return {};
}

export async function adapterFor(_mall: MallId): Promise<MallAdapter | undefined> {
  return undefined;
}
