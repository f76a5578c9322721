// Validates an EPCIS 2.0 JSON-LD document with epcis2.js (GS1's EPCIS 2.0 JSON schema plus its
// field checks). Usage: node validate-epcis.js FILE   Prints "valid" or the errors; exits 1 when
// invalid, 2 when the validator is not installed.
let validateEpcisDocument;
try {
  ({ validateEpcisDocument } = require('epcis2.js'));
} catch (error) {
  console.error('epcis2.js is not installed: run tools/test (npm ci --prefix tests/js)');
  process.exit(2);
}
const fs = require('node:fs');
const document = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = validateEpcisDocument(document, false);
if (result.success) {
  console.log(`valid (${document.epcisBody.eventList.length} events)`);
  process.exit(0);
}
console.log(`invalid: ${result.errors.join('; ')}`);
process.exit(1);
