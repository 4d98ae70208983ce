// The embedded database (PGlite) loads parts of itself with import(), which jest can only serve when
// Node runs with --experimental-vm-modules; without it a test dies with a misleading "corrupted
// database" error, so stop at once and say what to run.
const vm = require('node:vm');

module.exports = function requireVmModules() {
  if (typeof vm.SourceTextModule === 'function') return;
  throw new Error(
    "Rollcall's tests need Node's --experimental-vm-modules flag (the embedded database loads its " +
      'code with import()). Run them with `npm test` (set-up, then every test) or ' +
      '`npm run jest -- <test files>` instead of `npx jest`.',
  );
};
