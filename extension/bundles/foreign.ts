/** Foreign exports (other tools' files) as import sources; see shared/bundle/foreign. */
import type { ByteSource } from '../../shared/bundle/zip-read';
import type { RowSource } from './import';

export async function foreignRowSource(_source: ByteSource): Promise<RowSource | null> {
  return null;
}
