// A node:test reporter (`--test-reporter=<this file>`): at the end of the run, every finished test as Jest-shaped JSON
// ({ testResults: [{ assertionResults }] }), the one format the consumer lane reads from every runner.
export default async function* jestShapedJson(source) {
  const assertionResults = []
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    // A test's failure arrives wrapped (ERR_TEST_FAILURE); its cause is what the test threw.
    const error = event.data.details.error?.cause ?? event.data.details.error
    assertionResults.push({
      fullName: event.data.name,
      status: event.type === 'test:pass' ? 'passed' : 'failed',
      failureMessages: error ? [`${error.name}: ${error.message}`] : [],
      duration: event.data.details.duration_ms,
    })
  }
  yield `${JSON.stringify({ testResults: [{ assertionResults }] })}\n`
}
