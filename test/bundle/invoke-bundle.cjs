// Loads a built Lambda bundle in this (fresh) Node process and calls its handler the way the
// Lambda runtime does. Usage: node invoke-bundle.cjs <bundle.js> <event JSON> <timeout ms>
// Prints the bundle's own output, then one line: __RESULT__<json> or __ERROR__<json>.
const [bundle, eventJson, timeout] = process.argv.slice(2);
const { handler } = require(bundle);
const started = Date.now();
const timeoutMs = Number(timeout);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'bundle-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bundle-test',
  memoryLimitInMB: '256',
  awsRequestId: 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
  logGroupName: '/aws/lambda/bundle-test',
  logStreamName: '2026/11/28/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
};
handler(JSON.parse(eventJson), context).then(
  (result) => {
    console.log(`__RESULT__${JSON.stringify(result)}`);
    process.exit(0);
  },
  (error) => {
    console.log(`__ERROR__${JSON.stringify({ name: error.name, message: error.message })}`);
    process.exit(1);
  },
);
