// Validates GS1 Digital Link URIs with GS1's own digital-link.js.
// Usage: node validate-digital-link.js URI...   Prints "valid URI" or "invalid URI" per line and
// exits 1 if any is invalid (2 if the validator is not installed).
let DigitalLink;
try {
  ({ DigitalLink } = require('digital-link.js'));
} catch (error) {
  console.error('digital-link.js is not installed: run tools/test (npm ci --prefix tests/js)');
  process.exit(2);
}
let failures = 0;
for (const uri of process.argv.slice(2)) {
  let valid = false;
  try {
    valid = DigitalLink(uri).isValid();
  } catch (error) {
    valid = false;
  }
  if (!valid) failures++;
  console.log(`${valid ? 'valid' : 'invalid'} ${uri}`);
}
process.exit(failures === 0 ? 0 : 1);
