import { ZkPayError } from './errors.ts'
import { SqliteNullifierStore, type NullifierStore, type NullifierStoreOptions } from './store.ts'
import { PostgresNullifierStore, type PostgresNullifierStoreOptions } from './store-postgres.ts'

/**
 * The nullifier store a URL names, as a gateway's `--store` takes it: `sqlite:<path>` (embedded,
 * one process) or `postgres://…` / `postgresql://…` (shared by several gateway processes).
 */
export async function nullifierStoreFromUrl(
  url: string,
  options: NullifierStoreOptions & PostgresNullifierStoreOptions = {},
): Promise<NullifierStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '')
    if (path === '') throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'sqlite: needs a file path (sqlite:<path>).')
    return SqliteNullifierStore.open(path, options)
  }
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresNullifierStore.open(url, options)
  throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'Unknown nullifier store URL: expected sqlite:<path> or postgres://….', {
    hint: 'For example sqlite:./nullifiers.sqlite or postgres://user@host:5432/db.',
  })
}
