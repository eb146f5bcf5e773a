/**
 * Markdown rendering and sanitizing: ordinary Markdown renders, and no XSS payload
 * (script, event handlers, dangerous URLs, active tags, encoding and case tricks) survives
 * into the HTML. The output is checked structurally: every tag and attribute must be on
 * the allowlist, every URL must have an allowed scheme, every link the safe rel.
 */
import { htmlToText, renderMarkdown } from '../../server/render/markdown';

const ALLOWED_TAGS = new Set([
  'p',
  'br',
  'strong',
  'em',
  'b',
  'i',
  'u',
  's',
  'del',
  'ins',
  'sub',
  'sup',
  'mark',
  'small',
  'blockquote',
  'ul',
  'ol',
  'li',
  'h2',
  'h3',
  'h4',
  'a',
  'code',
  'pre',
  'hr',
  'img',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'rel'],
  img: ['src', 'alt', 'title'],
  ol: ['start'],
  th: ['align'],
  td: ['align'],
};

interface Tag {
  name: string;
  closing: boolean;
  attributes: Map<string, string>;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number.parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&colon;/gi, ':')
    .replace(/&tab;/gi, '\t')
    .replace(/&newline;/gi, '\n')
    .replace(/&amp;/g, '&');
}

/** What a browser would take as the URL: entities decoded, tabs, newlines and controls removed. */
function effectiveUrl(value: string): string {
  return (
    decodeEntities(value)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
      .toLowerCase()
  );
}

/** Splits sanitized HTML into tags; throws if anything tag-like is left that is not a clean tag. */
function tagsOf(html: string): Tag[] {
  const tags: Tag[] = [];
  const tagPattern = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'<>/=]+(?:="[^"<>]*")?)*)\s*\/?>/g;
  const rest = html.replace(tagPattern, (_whole, slash: string, name: string, rawAttributes: string) => {
    const attributes = new Map<string, string>();
    for (const match of rawAttributes.matchAll(/\s+([^\s"'<>/=]+)(?:="([^"]*)")?/g)) {
      attributes.set((match[1] ?? '').toLowerCase(), match[2] ?? '');
    }
    tags.push({ name: name.toLowerCase(), closing: slash === '/', attributes });
    return '';
  });
  if (/[<>]/.test(rest)) throw new Error(`unescaped < or > outside clean tags in ${JSON.stringify(html)}`);
  return tags;
}

/** Every way the output could carry script, checked on its structure. */
function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  let tags: Tag[];
  try {
    tags = tagsOf(html);
  } catch (error) {
    return [String(error)];
  }
  for (const tag of tags) {
    if (!ALLOWED_TAGS.has(tag.name)) problems.push(`tag <${tag.name}>`);
    for (const [name, value] of tag.attributes) {
      if (!(ALLOWED_ATTRIBUTES[tag.name] ?? []).includes(name)) problems.push(`attribute ${name} on <${tag.name}>`);
      if (name.startsWith('on')) problems.push(`event handler ${name}`);
      if (name === 'href' && !/^(https?:\/\/|mailto:)/.test(effectiveUrl(value))) problems.push(`href ${JSON.stringify(value)}`);
      if (name === 'src' && !/^https?:\/\//.test(effectiveUrl(value))) problems.push(`src ${JSON.stringify(value)}`);
    }
    if (tag.name === 'a' && !tag.closing && tag.attributes.get('rel') !== 'noopener noreferrer') {
      problems.push(`link without rel="noopener noreferrer"`);
    }
  }
  return problems;
}

function expectSafe(source: string): string {
  const html = renderMarkdown(source);
  expect({ source, html, problems: unsafeParts(html) }).toEqual({ source, html, problems: [] });
  return html;
}

// ---------- the checker itself must catch what it claims to ----------

describe('the safety checker', () => {
  test.each([
    '<script>alert(1)</script>',
    '<img src="x" onerror="alert(1)" />',
    '<a href="javascript:alert(1)" rel="noopener noreferrer">x</a>',
    '<a href="jav&#x61;script:alert(1)" rel="noopener noreferrer">x</a>',
    '<a href="https://ok.example">no rel</a>',
    '<img src="data:image/png;base64,AAAA" />',
    '<p style="color:red">x</p>',
    '<svg></svg>',
    '<p>a < b</p>',
    '<a href="/relative" rel="noopener noreferrer">r</a>',
  ])('flags %s', (html) => {
    expect(unsafeParts(html)).not.toEqual([]);
  });

  test('passes clean HTML', () => {
    expect(
      unsafeParts(
        '<p><a href="https://ok.example/?a=1&amp;b=2" rel="noopener noreferrer">ok</a> <img src="https://img.example/a.png" alt="a" /></p>',
      ),
    ).toEqual([]);
  });
});

// ---------- ordinary Markdown ----------

describe('ordinary Markdown renders', () => {
  test('bold, emphasis and paragraphs', () => {
    expect(renderMarkdown('**Polls** have *closed*.\n\nSecond paragraph.')).toBe(
      '<p><strong>Polls</strong> have <em>closed</em>.</p>\n<p>Second paragraph.</p>',
    );
  });

  test('lists', () => {
    expect(renderMarkdown('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(renderMarkdown('1. first\n2. second')).toBe('<ol>\n<li>first</li>\n<li>second</li>\n</ol>');
    expect(renderMarkdown('3. third\n4. fourth')).toContain('<ol start="3">');
  });

  test('links keep href and title and get rel="noopener noreferrer"', () => {
    expect(renderMarkdown('[Results](https://example.com/results "Live results")')).toBe(
      '<p><a href="https://example.com/results" title="Live results" rel="noopener noreferrer">Results</a></p>',
    );
    expect(renderMarkdown('Mail [the desk](mailto:desk@example.com)')).toBe(
      '<p>Mail <a href="mailto:desk@example.com" rel="noopener noreferrer">the desk</a></p>',
    );
    expect(renderMarkdown('See https://example.com/live')).toBe(
      '<p>See <a href="https://example.com/live" rel="noopener noreferrer">https://example.com/live</a></p>',
    );
  });

  test('headings start at h2 (the page has the one h1)', () => {
    expect(renderMarkdown('# Top')).toBe('<h2>Top</h2>');
    expect(renderMarkdown('## Second')).toBe('<h2>Second</h2>');
    expect(renderMarkdown('### Third')).toBe('<h3>Third</h3>');
    expect(renderMarkdown('# Top')).not.toContain('<h1');
  });

  test('images with http(s) sources, quotes, code, line breaks, tables', () => {
    expect(renderMarkdown('![A queue](https://img.example.com/q.jpg)')).toBe(
      '<p><img src="https://img.example.com/q.jpg" alt="A queue" /></p>',
    );
    expect(renderMarkdown('> quoted')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>');
    expect(renderMarkdown('Use `npm start`')).toBe('<p>Use <code>npm start</code></p>');
    expect(renderMarkdown('line one\nline two')).toBe('<p>line one<br />line two</p>');
    expect(renderMarkdown('| a | b |\n|---|--:|\n| 1 | 2 |')).toMatch(
      /^<table>\s*<thead>[\s\S]*<td align="right">2<\/td>[\s\S]*<\/table>$/,
    );
  });

  test('text that looks like markup is escaped, not dropped', () => {
    expect(renderMarkdown('Turnout 5 < 7 & rising')).toBe('<p>Turnout 5 &lt; 7 &amp; rising</p>');
    expect(renderMarkdown('`<script>alert(1)</script>`')).toBe('<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>');
    expect(renderMarkdown('```\n<b onclick="x">hi</b>\n```')).toBe('<pre><code>&lt;b onclick="x"&gt;hi&lt;/b&gt;\n</code></pre>');
  });
});

// ---------- XSS payloads ----------

const PAYLOADS: Record<string, string[]> = {
  'script tags': [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
    '<ScRiPt>alert(1)</sCrIpT>',
    '<scr<script>ipt>alert(1)</script>',
    '<<script>script>alert(1)<</script>/script>',
    '<script\n>alert(1)</script\n>',
    'text <script>alert(1)</script> more',
    '<svg><script>alert(1)</script></svg>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<textarea><script>alert(1)</script></textarea>',
    '<title><script>alert(1)</script></title>',
  ],
  'event attributes': [
    '<img src=x onerror=alert(1)>',
    '<img src="https://ok.example/a.png" onerror="alert(1)">',
    '<IMG SRC=x OnErRoR=alert(1)>',
    '<body onload=alert(1)>',
    '<p onclick="alert(1)">click</p>',
    '<p onmouseover="alert(1)">hover</p>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<a href="https://ok.example" onfocus=alert(1) autofocus>ok</a>',
    '<details open ontoggle=alert(1)>',
    '<input onfocus=alert(1) autofocus>',
    '<video src=x onerror=alert(1)></video>',
    '<x onclick=alert(1)>custom element</x>',
    '<strong onmouseenter="alert(1)">bold</strong>',
    '<img src=x:alert(1) onerror=eval(src)>',
    '<img/src=x/onerror=alert(1)>',
    '<img src="x"/onerror="alert(1)">',
  ],
  'javascript:, vbscript: and data: URLs': [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](javascript:alert(1) "title")',
    '[x](<javascript:alert(1)>)',
    '[x]( javascript:alert(1))',
    '[x](vbscript:msgbox(1))',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '<javascript:alert(1)>',
    '[ref]\n\n[ref]: javascript:alert(1)',
    '![x](javascript:alert(1))',
    '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '![x](vbscript:msgbox(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="javascript:alert(1)">',
    '<IMG SRC=JaVaScRiPt:alert(1)>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img src="vbscript:msgbox(1)">',
    '<a href="//evil.example/x">protocol-relative</a>',
    '<a href="/relative">relative</a>',
    '<img src="/relative.png">',
    '<a href="ftp://files.example/x">ftp</a>',
    '<a href="file:///etc/passwd">file</a>',
  ],
  'active and unwanted tags': [
    '<svg onload=alert(1)>',
    '<svg/onload=alert(1)>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<IFRAME SRC=javascript:alert(1)></IFRAME>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<style>body { background: url(javascript:alert(1)) }</style>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<form><input type="submit" formaction="javascript:alert(1)"></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<applet code="x"></applet>',
    '<template><script>alert(1)</script></template>',
    '<a href="https://ok.example" target="_blank">new window</a>',
    '<a href="https://ok.example" rel="opener">opener</a>',
    '<div><p>nested <span class="x" id="y">span</span></p></div>',
  ],
  'entity-encoded and mixed-case tricks': [
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="jav&#97;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="java&Tab;script:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="jAvAsCrIpT&#58;alert(1)">x</a>',
    '<a href="&#x20;javascript:alert(1)">x</a>',
    '[x](jav&#x61;script:alert(1))',
    '[x](javascript&colon;alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](java%73cript:alert(1))',
    '![x](jav&#x61;script:alert(1))',
    '<img src="jav&#x61;script:alert(1)">',
    '<IMG SRC="jav&#x09;ascript:alert(1)">',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<a href="http://ok.example" title="&quot; onclick=&quot;alert(1)">quoted</a>',
    '<img src="https://ok.example/a.png" alt="&quot;><script>alert(1)</script>">',
    '<a href="https://ok.example/\u0000javascript:alert(1)">nul</a>',
    '<a\u0000href="javascript:alert(1)">nul in tag</a>',
  ],
};

describe('XSS payloads never survive into html', () => {
  for (const [family, payloads] of Object.entries(PAYLOADS)) {
    test.each(payloads)(`${family}: %s`, (payload) => {
      // (attribute values are blanked first: an escaped quote inside a title is only text)
      const html = expectSafe(payload).replace(/="[^"]*"/g, '=""');
      expect(html).not.toMatch(
        /<\s*(script|svg|math|iframe|object|embed|style|form|input|button|base|meta|link|frame|applet|template|textarea|title|body|details|video)\b/i,
      );
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    });
  }

  test('every payload also stays safe inside ordinary Markdown around it', () => {
    for (const payload of Object.values(PAYLOADS).flat()) {
      expectSafe(`# Update\n\nSome **bold** text, then ${payload} and a [link](https://example.com).\n\n- ${payload}\n\n> ${payload}`);
    }
  });

  test('random mixtures of payload fragments stay safe (seeded)', () => {
    const fragments = [
      ...Object.values(PAYLOADS).flat(),
      '**b**',
      '*i*',
      '[l](https://e.example)',
      '\n\n',
      '\n',
      '<',
      '>',
      '"',
      "'",
      '&',
      '&#',
      'javascript:',
      'on',
      '=',
      '<a href="',
      '<img src=',
      '`',
      '```',
      '# ',
      '- ',
      '> ',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
    ];
    let state = 0x5eed;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let i = 0; i < 400; i++) {
      const parts: string[] = [];
      for (let j = 0, count = 2 + next(6); j < count; j++) parts.push(fragments[next(fragments.length)] ?? '');
      expectSafe(parts.join(''));
    }
  });
});

describe('what remains of a payload', () => {
  test('a safe image keeps its http(s) src and alt but loses the handler', () => {
    expect(renderMarkdown('<img src="https://ok.example/a.png" onerror="alert(1)" alt="ok">')).toBe(
      '<img src="https://ok.example/a.png" alt="ok" />',
    );
  });

  test('a link with a bad URL keeps its text and loses its href', () => {
    expect(renderMarkdown('[read this](javascript:alert(1))')).toBe('<p><a rel="noopener noreferrer">read this</a></p>');
  });

  test('rel is forced and target dropped on every link', () => {
    expect(renderMarkdown('<a href="https://ok.example" target="_blank" rel="opener">t</a>')).toBe(
      '<p><a href="https://ok.example" rel="noopener noreferrer">t</a></p>',
    );
  });

  test('only http(s) and mailto hrefs, only http(s) image sources remain', () => {
    const html = renderMarkdown(
      [
        '[a](https://a.example) [b](http://b.example) [c](mailto:c@example.com) [d](ftp://d.example) [e](/e) [f](#f)',
        '![g](https://g.example/g.png) ![h](http://h.example/h.png) ![i](/i.png) ![j](mailto:j@example.com)',
      ].join('\n\n'),
    );
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    const srcs = [...html.matchAll(/src="([^"]*)"/g)].map((match) => match[1]);
    expect(hrefs).toEqual(['https://a.example', 'http://b.example', 'mailto:c@example.com']);
    expect(srcs).toEqual(['https://g.example/g.png', 'http://h.example/h.png']);
  });

  test('htmlToText turns sanitized html into plain text', () => {
    expect(htmlToText(renderMarkdown('# Head\n\nA **bold** <script>alert(1)</script> 5 < 7 & "q"'))).toBe('Head\n\nA bold  5 < 7 & "q"');
  });
});
