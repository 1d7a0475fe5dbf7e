/** Puts library addresses into bytecode that forge left with link placeholders. */
export type LinkReferences = Readonly<
  Record<string, ReadonlyArray<{ readonly start: number; readonly length: number }>>
>

export function linkBytecode(
  bytecode: `0x${string}`,
  references: LinkReferences,
  libraries: Readonly<Record<string, `0x${string}`>>,
): `0x${string}` {
  let hex = bytecode.slice(2)
  for (const [name, places] of Object.entries(references)) {
    const address = libraries[name]
    if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address))
      throw new Error(`linkBytecode: no address for library ${name}`)
    for (const { start, length } of places) {
      hex = hex.slice(0, start * 2) + address.slice(2).toLowerCase() + hex.slice((start + length) * 2)
    }
  }
  if (/__\$[0-9a-fA-F]{34}\$__/.test(hex)) throw new Error('linkBytecode: unlinked library placeholders remain')
  return `0x${hex}`
}
