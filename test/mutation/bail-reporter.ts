// A node:test reporter for mutation runs: Stryker's command runner reads only the exit
// code, so stop at the first failing test and a killed mutant costs a fraction of a run.
export default async function* bail(source: AsyncIterable<{ type: string }>): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type === 'test:fail') process.exit(1);
  }
  yield '';
}
