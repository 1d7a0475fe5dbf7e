// Reserves tickets from a ticket file and prints each index; with "hang", reserves one and then
// waits forever, as a client would while about to send its proof (the test kills it there).
import { TicketStore } from '../tickets.ts'

const [path, mode, count] = process.argv.slice(2)
const store = TicketStore.open(path!)
if (mode === 'hang') {
  const i = await store.reserve()
  process.stdout.write(`reserved ${i}\n`)
  setInterval(() => {}, 1000)
} else {
  const got = await Promise.all(Array.from({ length: Number(count) }, () => store.reserve()))
  process.stdout.write(`${JSON.stringify(got)}\n`)
}
