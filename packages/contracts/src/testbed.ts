// `@hermit/contracts/testbed`: the adversarial test-bed contracts of contracts/src/testbed (a
// honeypot, a drainer multicall, an upgradeable proxy with an evil implementation, benign dapps to
// compare with). Kept off the root entry point so that production code never imports one by accident.
export * from './generated/testbed/index.ts'
