// Test-process environment. The AWS SDK warns once per process that releases
// after January 2027 need Node 22; tests run on Node 20 on purpose (it is a
// supported Lambda runtime), so the warning is only noise here. Child
// processes the tests start inherit this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
