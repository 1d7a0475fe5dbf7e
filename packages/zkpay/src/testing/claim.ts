// Opens a nullifier database, records one nullifier, says so, and waits to be killed.
import { SqliteNullifierStore } from '../store.ts'

const store = SqliteNullifierStore.open(process.argv[2]!)
const r = await store.claim({ scope: 1n, nullifier: 42n, x: 7n, y: 9n, root: 5n })
process.stdout.write(`claimed ${r.status}\n`)
setInterval(() => {}, 1000)
