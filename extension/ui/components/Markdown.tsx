/**
 * Markdown from a model, rendered safely: `marked`'s lexer turns the text into tokens and this
 * file builds Preact elements from an allowlist of them. Nothing is ever parsed as HTML: raw HTML
 * in the text (blocks and inline tags) is shown as text; a link becomes an <a> only when its
 * target is http(s) (anything else — `javascript:`, `data:`, relative — is shown as its text);
 * images are never loaded (a remote image would tell a server what the user reads) and appear as
 * a link to them. Code blocks get a copy button.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../i18n';

/** Whether a link target may become a clickable link. */
export function isSafeHref(href: string): boolean {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function Markdown({ text }: { text: string }) {
  const tokens = new Lexer({ gfm: true, breaks: false }).lex(text);
  return <div class="markdown">{blocks(tokens)}</div>;
}

function blocks(tokens: readonly Token[]): ComponentChildren[] {
  return tokens.map((token, i) => block(token, i));
}

function block(token: Token, key: number): ComponentChildren {
  const t = token as Tokens.Generic;
  switch (t.type) {
    case 'space':
    case 'def':
      return null;
    case 'heading': {
      const Tag = `h${Math.min(6, Math.max(3, (t as Tokens.Heading).depth + 2))}` as 'h3';
      return <Tag key={key}>{inline((t as Tokens.Heading).tokens)}</Tag>;
    }
    case 'paragraph':
      return <p key={key}>{inline((t as Tokens.Paragraph).tokens)}</p>;
    case 'text':
      return <p key={key}>{(t as Tokens.Text).tokens ? inline((t as Tokens.Text).tokens!) : (t as Tokens.Text).text}</p>;
    case 'code':
      return <CodeBlock key={key} code={(t as Tokens.Code).text} lang={(t as Tokens.Code).lang ?? ''} />;
    case 'blockquote':
      return <blockquote key={key}>{blocks((t as Tokens.Blockquote).tokens)}</blockquote>;
    case 'hr':
      return <hr key={key} />;
    case 'list': {
      const list = t as Tokens.List;
      const items = list.items.map((item, n) => (
        <li key={n}>
          {item.task && <input type="checkbox" checked={Boolean(item.checked)} disabled />}
          {listItem(item)}
        </li>
      ));
      return list.ordered ? (
        <ol key={key} start={typeof list.start === 'number' ? list.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case 'table': {
      const table = t as Tokens.Table;
      const align = (n: number): JSX.CSSProperties | undefined => (table.align[n] ? { textAlign: table.align[n]! } : undefined);
      return (
        <div key={key} class="table-wrap">
          <table>
            <thead>
              <tr>
                {table.header.map((cell, n) => (
                  <th key={n} style={align(n)}>
                    {inline(cell.tokens)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, n) => (
                    <td key={n} style={align(n)}>
                      {inline(cell.tokens)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'html':
      // Raw HTML is shown as the text it is.
      return (
        <p key={key} class="raw-html">
          {t.raw}
        </p>
      );
    default:
      return <p key={key}>{t.raw}</p>;
  }
}

/** A list item's content: loose items hold paragraphs; tight ones hold inline text. */
function listItem(item: Tokens.ListItem): ComponentChildren {
  return item.tokens.map((token, i) => (token.type === 'text' && !item.loose ? <span key={i}>{(token as Tokens.Text).tokens ? inline((token as Tokens.Text).tokens!) : (token as Tokens.Text).text}</span> : block(token, i)));
}

function inline(tokens: readonly Token[]): ComponentChildren[] {
  return tokens.map((token, key) => {
    const t = token as Tokens.Generic;
    switch (t.type) {
      case 'text':
        return (t as Tokens.Text).tokens ? <span key={key}>{inline((t as Tokens.Text).tokens!)}</span> : (t as Tokens.Text).text;
      case 'escape':
        return (t as Tokens.Escape).text;
      case 'strong':
        return <strong key={key}>{inline((t as Tokens.Strong).tokens)}</strong>;
      case 'em':
        return <em key={key}>{inline((t as Tokens.Em).tokens)}</em>;
      case 'del':
        return <del key={key}>{inline((t as Tokens.Del).tokens)}</del>;
      case 'codespan':
        return <code key={key}>{(t as Tokens.Codespan).text}</code>;
      case 'br':
        return <br key={key} />;
      case 'link': {
        const link = t as Tokens.Link;
        return isSafeHref(link.href) ? (
          <a key={key} href={link.href} target="_blank" rel="noopener noreferrer" title={link.href}>
            {inline(link.tokens)}
          </a>
        ) : (
          <span key={key} class="inert-link">
            {inline(link.tokens)}
          </span>
        );
      }
      case 'image': {
        const image = t as Tokens.Image;
        const label = `[image: ${image.text || image.href}]`;
        return isSafeHref(image.href) ? (
          <a key={key} href={image.href} target="_blank" rel="noopener noreferrer">
            {label}
          </a>
        ) : (
          label
        );
      }
      default:
        // Inline HTML tags and anything unknown: their source, as text.
        return t.raw;
    }
  });
}

function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="code-block" data-testid="code-block" data-lang={lang}>
      <button
        type="button"
        class="link copy"
        data-testid="copy-code"
        onClick={() =>
          void navigator.clipboard.writeText(code).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('markdownCopied') : t('markdownCopy')}
      </button>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
