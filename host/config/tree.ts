// Lines of tokens → a tree of statements. A statement is the tokens of one line up to a `{`, `}` or the end
// of the line; a `{` gives the current statement (or, on a line of its own, the previous one) a block.
import type { Diagnostics } from './diagnostics.ts';
import type { SourceLine, Token } from './lexer.ts';

export interface Stmt {
  kw: Token;
  args: Token[];
  block: Stmt[] | null;
}

export function buildTree(lines: readonly SourceLine[], diags: Diagnostics): Stmt[] {
  const root: Stmt[] = [];
  const stack: { body: Stmt[]; opener: Token | null }[] = [{ body: root, opener: null }];
  for (const ln of lines) {
    let cur: Stmt | null = null;
    for (const tok of ln.tokens) {
      const top = stack[stack.length - 1];
      if (tok.text === '{' && !tok.quoted) {
        let owner = cur;
        if (!owner) {
          const prev = top.body[top.body.length - 1];
          if (prev && prev.block === null) owner = prev;
        }
        if (!owner || owner.block !== null) {
          diags.error(tok, '{', "unexpected '{' (no keyword before it takes a block)", { expected: 'a keyword before {', found: '{' });
          owner = { kw: tok, args: [], block: null };
          top.body.push(owner);
        }
        owner.block = [];
        stack.push({ body: owner.block, opener: tok });
        cur = null;
        continue;
      }
      if (tok.text === '}' && !tok.quoted) {
        if (stack.length === 1) diags.error(tok, '}', "extra '}' with no block open", { expected: "a '}' only to close an open block", found: '}' });
        else stack.pop();
        cur = null;
        continue;
      }
      if (cur) cur.args.push(tok);
      else {
        cur = { kw: tok, args: [], block: null };
        top.body.push(cur);
      }
    }
  }
  for (let k = stack.length - 1; k >= 1; k--) {
    const o = stack[k].opener!;
    diags.error(o, '{', `block opened here is never closed (${stack.length - 1} missing '}')`, { expected: '}', found: 'end of file' });
  }
  return root;
}

/** Every token of a value block (`{ a b \n c }`), in order. */
export function flat(block: readonly Stmt[] | null): Token[] {
  const out: Token[] = [];
  for (const s of block ?? []) {
    out.push(s.kw, ...s.args);
    if (s.block) out.push(...flat(s.block));
  }
  return out;
}
