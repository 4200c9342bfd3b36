// The suite's own test code calls Promise.withResolvers (Node 22); this
// package supports Node 20.19+, where it is missing. Test harness only: the
// world and the server the suite spawns do not use it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
