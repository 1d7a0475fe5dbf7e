export { writeFixtureModel, fixtureModelBytes, type FixtureModel, type FixtureModelOptions } from './fixture-model.ts'
