// A Jest watch plugin of the project's own: it must still be loaded, and see each run, under trapdoor test.
class CountingPlugin {
  apply(jestHooks) {
    jestHooks.onTestRunComplete((results) => {
      console.log(`watch plugin: a run of ${results.numTotalTests} tests`);
    });
  }

  getUsageInfo() {
    return { key: 'c', prompt: 'count the tests' };
  }
}

module.exports = CountingPlugin;
