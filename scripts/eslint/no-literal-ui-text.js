/**
 * ESLint rule `hydraflow/no-literal-ui-text`: words a person reads in the UI come from
 * `chrome.i18n` (extension/ui/i18n.ts `t()`), never written straight into a component. Flags JSX
 * text with letters, string literals (also inside `a ? 'x' : 'y'` or `a && 'x'`, and template
 * literals) rendered as JSX children, and literal text in the attributes a person reads or hears
 * (title, placeholder, aria-label, alt, label…). Punctuation, numbers and symbols pass.
 */
const WORDS = /\p{L}{2,}/u;
const READ_ATTRIBUTES = new Set(['title', 'placeholder', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'alt', 'label']);

function literalText(node) {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral') return node.quasis.map((q) => q.value.cooked ?? '').join(' ');
  return null;
}

/** String literals that end up rendered: the expression itself, or a branch of ?: / && / ||. */
function renderedLiterals(node) {
  if (!node) return [];
  if (node.type === 'ConditionalExpression') return [...renderedLiterals(node.consequent), ...renderedLiterals(node.alternate)];
  if (node.type === 'LogicalExpression') return renderedLiterals(node.right).concat(node.operator === '&&' ? [] : renderedLiterals(node.left));
  return literalText(node) === null ? [] : [node];
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'UI text goes through chrome.i18n (t() from extension/ui/i18n.ts)' },
    messages: { literal: 'Text a person reads ("{{text}}") must come from messages.json through t() (extension/ui/i18n.ts).' },
    schema: [],
  },
  create(context) {
    const report = (node, text) => context.report({ node, messageId: 'literal', data: { text: text.trim().slice(0, 40) } });
    return {
      JSXText(node) {
        if (WORDS.test(node.value)) report(node, node.value);
      },
      JSXExpressionContainer(node) {
        if (node.parent.type === 'JSXAttribute') return;
        for (const literal of renderedLiterals(node.expression)) {
          const text = literalText(literal);
          if (WORDS.test(text)) report(literal, text);
        }
      },
      JSXAttribute(node) {
        const name = typeof node.name.name === 'string' ? node.name.name : '';
        if (!READ_ATTRIBUTES.has(name) || !node.value) return;
        const value = node.value.type === 'JSXExpressionContainer' ? node.value.expression : node.value;
        for (const literal of renderedLiterals(value)) {
          const text = literalText(literal);
          if (WORDS.test(text)) report(literal, text);
        }
      },
    };
  },
};
