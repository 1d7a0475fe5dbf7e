// Opens the PostgreSQL nullifier store at argv[2] and claims nullifiers argv[3]..argv[3]+argv[4]-1
// (scope 1, x = argv[5]) all at once; prints how many came back new, replay and double-spend as
// JSON. With "hang" as argv[6] it then says "claimed" and waits to be killed.
import { PostgresNullifierStore } from '../store-postgres.ts'

const [url, from, count, x, mode] = process.argv.slice(2)
const store = await PostgresNullifierStore.open(url!, { maxConnections: 8 })
const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, k) =>
    store.claim({ scope: 1n, nullifier: BigInt(from!) + BigInt(k), x: BigInt(x!), y: 9n, root: 5n }),
  ),
)
const tally: Record<string, number[]> = { new: [], replay: [], 'double-spend': [] }
for (const [k, r] of results.entries()) tally[r.status]!.push(Number(from) + k)
process.stdout.write(`${JSON.stringify(tally)}\n`)
if (mode === 'hang') setInterval(() => {}, 1000)
else await store.close()
