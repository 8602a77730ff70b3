// Hand-picked patterns for the differential test: every regex example from the seed READMEs
// (v3.1/v3.2 "Python REGEX Syntax" sections and example.cfg), each construct the engine
// translates, every CPython error message, and nasty escapes and classes.

/** Regex values quoted in /work/shared/reference/seeds (README v3.1 and v3.2). */
export const SEED_README_PATTERNS = [
  'PROD.*',
  'DEV.*',
  'WEB.*',
  'TEMP-.*',
  'DEV-my.*',
  '.*',
  'DEV-RH.*',
  'PRD-PRINT$',
  'PRD-a.*',
  'PRD-a*',
  'PROD*',
  'PRD-with-many-disks*',
  'ab*',
  'DEV-V.*TEMP$',
  'DEV-.*(TEST|test).*',
  'DEV-.*[Tt]est.*',
  '.*SAVE$',
  'PRD-.*print[4-5]$',
  'PRD-.*print[6-8]$',
  'PRD-.*print[\\d{1,}]$',
  'PRD-[aA].*',
  'PRD-[aA.*',
  'PROD-ubuntu12.xs66',
  '^[\\w\\s\\-\\_]+$',
  '(?:a|b)',
  '(?',
  '',
];

export const CONSTRUCT_PATTERNS = [
  // named groups, backreferences
  '(?P<env>PROD|DEV)-(?P=env)', '(?P<a>x)(?P<b>y)(?P=b)(?P=a)', '(a)(b)\\2\\1', '(a)\\1', '(a)(?:\\1)+',
  '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\100', '(a)\\10', '(a)\\11',
  '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\\11', '(a)\\18', '(a)\\1a', '(a)\\01', '(?P<n>a)|b', '(a|b)\\1', '(a)?\\1', '(?:(a)|b)\\1', '((a)\\2)', '(a)(?=(b))\\2', '(?P<x>a)(?P=x)?',
  // inline flags
  '(?i)prod', '(?i)PROD-[a-z]+', '(?i:prod)-X', '(?-i:a)', '(?i)a(?-i:b)c', '(?s).x', '(?s:.)x', '.x',
  '(?m)^a$', '(?m)a$\\n', 'a$', 'a\\Z', '\\Aa', '(?x) P R O D # comment', '(?x)a\\ b', '(?x)[ a]b',
  '(?x:a b)c d', '(?ix)p r o d', '(?a)\\w+', '(?i)[^a]', '(?i)[Z-a]+', '(?i)[^\\W]', '(?i)\\W', '(?i)é',
  '(?i)[k]', '(?i)s', '(?i)(a)\\1', '(?u)\\w', '(?u:\\w)', '(?L)a', '(?t)a', '(?t)a*', '(?t)(?<=a*)b*',
  // anchors and boundaries
  '^PROD', '^$', '$', '\\b', '\\B', 'a\\b', '\\bPROD\\b', 'a\\B', '\\Z', '\\A\\Z', '(?m)$', '(?m)^$',
  'a$\\n', 'a\\n$', '.*$', '.+\\Z',
  // quantifiers
  'a*?b', 'a+?', 'a??b', 'a{2}', 'a{2,}', 'a{,2}b', 'a{1,3}?', 'a{2,3}+', 'a*+a', 'a++b', 'a?+a',
  '(?>a*)a', '(?>ab|a)b', '(?>a|ab)c', 'x{', 'x{1', 'x{1,', 'x{,', 'x{}', 'x{a}', 'x{1,2', '{', '{}',
  'a{3,1}', 'a{0}', 'a{0,0}b', 'a{4294967294}', 'a{4294967295}', 'a{1,4294967296}', '(?:)*', '(?:\\b)*',
  '(?=a)*', '(a*)*', '(a|)*b', '(?:a?)*?c', '(?:a|ab){2}+', '(?:a|ab){2}+c', '(?:ab|a){2,3}+c', '(?>a|ab)+c',
  '(?:a?)*+$', '(?:a??)*+$', '(?>(?:a?)*)b', '(?>(?:|a)*)$', '(?:(a)|b)*+\\1', '(?=(a*))\\1b', '(?=((?:a|)*))\\1$',
  '(?=((?:a??)*))\\1$', '(?>(?:a*?)+)$', '(?:(?:a|)*)*+b', '((?:a??)*)\\1$',
  // look-arounds
  '(?=PROD)P', '(?!TEST).*', '.*(?<=01)', '.*(?<!-old)$', '(?<=a|b)c', '(?<=a|bc)', '(?<=a*)b',
  '(?<=a{3})', '(?<=(a))', '(a)(?<=\\1)', '(?<=(a)\\1)', '(?<=\\1)(a)', '(?<!(?<=a)b)c',
  '(?<=(?:a{65536}){65536})',
  // escapes
  '\\x41', '\\x4', '\\x', '\\u00e9', '\\u00E', '\\U0001F600', '\\U00110000', '\\N{EM DASH}', '\\N',
  '\\N{', '\\N{}', '\\N{EM DASH', '\\0', '\\00', '\\07', '\\08', '\\1', '\\10', '\\12', '\\141', '\\400',
  '\\777', '\\8', '\\a\\f\\t\\v', '\\\\', '\\.', '\\-', '\\ ', '\\é', '\\q', '\\e', '\\c', '\\z', '\\Q',
  '\\G', '\\', 'a\\', '[\\b]', '[\\A]', '[\\Z]', '[\\B]', '[\\8]', '[\\0]', '[\\101]', '[\\400]', '[\\x41-\\x5a]',
  // classes
  '[]a]', '[^]a]', '[]', '[^]', '[a-]', '[-a]', '[a-z', '[z-a]', '[a-\\d]', '[\\d-z]', '[\\w.-]+', '[^\\s]',
  '[\\W\\d]', '[[a]', '[a]]', '[a--b]', '[&&a]', '[||]', '[~~]', '[\\]]', '[\\[]', '[.]', '[é-ë]', '[^a-z]',
  '[😀-a]', '[a-😀]', '😀)', '(?P<😀>a)', '(?P<é😀>a)', '\\😀', '😀{2}{3}', '[😀', '😀(?i)', '(?x)😀 # c', '(?P=😀)',
  '[\\s\\S]', '[^\\d\\D]', '[\\u00e9-\\u00eb]', '[\\N{EM DASH}]', '[a-\\N{EM DASH}]',
  // groups and errors
  'a(b', '(a', '((a)', 'a)', 'a)b(', '()', '(?:)', '(?P<1>a)', '(?P<a-b>a)', '(?P<>a)', '(?P<a', '(?P<a>',
  '(?P=a)', '(?P=a', '(?P<a>a)(?P=b)', '(?P<a>(?P=a))', '(?P<a>a)(?P<a>b)', '(?Px)', '(?P', '(?<a>x)',
  '(?<x', '(?<', '(?', '(?z)', '(?#comment)a', '(?#unterminated', 'a(?#c)*', '(?#c)*', '(?i', '(?i-',
  '(?i-:a)', '(?-:a)', '(?-', '(?-i', '(?-i)', '(?i-i:a)', '(?ii:a)', '(?au)', '(?-a:a)', '(?t:a)',
  '(?-t:a)', '(?i)(?s)a', 'a(?i)', '(?i)a(?s)', '(?:(?i))', '(?i)|(?s)', '(?x)  (?i)a', '(?#x)(?i)a',
  '(?(1)a|b)', '(a)(?(1)b|c)', '(?P<g>a)(?(g)b)', '(a)(?(2)b)', '(?(0)a)', '(?(-1)a)', '(?(a-b)x)',
  '(a)(?(1)b|c|d)', '(?(1', '(?()a)', '(?(x)a)', '(a)(?( 1)b)', '(a)(?(1_0)b)',
  '*', '+a', '?', 'a**', 'a*{2}', 'a{2}*', 'a?*', '^*', '$+', '\\b?', '\\A*', 'a|*', '(*)', '(?:a)**',
  '(?<=a)*', 'a|', '|a', '|', '||', 'a||b', '(|)',
  // CPython's recursion limit (about 496 nested groups, depending on the caller's stack)
  '('.repeat(600) + 'a' + ')'.repeat(600), '(?:'.repeat(700) + ')'.repeat(700), '('.repeat(3000),
  'a)' + '('.repeat(600), '[' + '('.repeat(600),
];
