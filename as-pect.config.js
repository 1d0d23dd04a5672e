// as-pect configuration for the core's specs (test/core/**/*.spec.ts).
//
// env.abort: as-pect's own abort import only records the message and returns, and AssemblyScript emits no
// `unreachable` after an explicit abort() call, so a core that aborts (output ring full, timer queue full) would
// carry on inside a spec as if nothing happened. Here an abort raised from anywhere but as-pect's own
// expectation code throws (after printing the message, which as-pect would not show), failing the running test.
// Note that as-pect 8.1.0 also reports a test as passed when its beforeEach traps: test/core/helpers.ts guards
// against that for reset().
export default {
  entries: ["test/core/**/*.spec.ts"],
  include: ["test/core/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let exported = null;
    const text = (ptr) => {
      if (!ptr || !exported) return "";
      const buf = exported.memory.buffer;
      const bytes = new Uint32Array(buf, ptr - 4, 1)[0];
      return Buffer.from(new Uint8Array(buf, ptr, bytes)).toString("utf16le");
    };
    const imports = {
      env: {
        abort(msg, file, line, col) {
          const where = text(file);
          if (!where.includes("@as-pect")) {
            // as-pect shows no message for a trap, so say it here
            const m = `abort: ${text(msg)} at ${where}:${line}:${col}`;
            console.error(m);
            throw new Error(m);
          }
        },
      },
    };
    const mod = await instantiate(binary, createImports(imports));
    exported = mod.exports;
    return mod;
  },
  outputBinary: false,
};
