namespace ESign.Hub.Documents;

/// <summary>
/// Reads a page's content stream the way PDFsharp's content lexer does (the sealer's text-tag redaction runs it on every
/// tagged page) and refuses what would keep that lexer from ever finishing, or drive a reader's recursion too deep:
/// <list type="bullet">
/// <item>a literal string, hex string or dictionary that the end of the stream cuts off (PDFsharp loops forever on the
/// first two, growing its token without bound on a literal string, 8-bit or UTF-16);</item>
/// <item>an inline image whose <c>BI</c> never reaches <c>ID</c> (PDFsharp reads tokens until it sees one), or whose
/// data never reaches <c>EI</c> (or <c>~&gt;</c> for ASCII85);</item>
/// <item>arrays and dictionaries nested deeper than <see cref="PdfSyntax.MaxNesting"/>.</item>
/// </list>
/// It follows PDFsharp's rules, not the specification's where they differ: a comment ends at a line feed only, a
/// <c>CR LF</c> pair is one character, a hex string ends at the first <c>&gt;</c>, a string that starts with the
/// UTF-16 mark is read two bytes at a time. Every construct must end inside its own stream, so streams a page joins
/// (with a line feed between them, as PDFsharp does) are each read from their start.
/// </summary>
internal sealed class ContentStreamCheck
{
    private const char End = '\uFFFF';

    private readonly char[] _text;
    private readonly int _objectNumber;
    private int _at;
    private int _depth;

    private ContentStreamCheck(byte[] content, int objectNumber)
    {
        // PDFsharp reads CR LF as one LF; folding it first keeps every position below the same as the lexer's.
        var text = new List<char>(content.Length);
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == '\r' && i + 1 < content.Length && content[i + 1] == '\n') continue;
            text.Add((char)content[i]);
        }
        _text = [.. text];
        _objectNumber = objectNumber;
    }

    /// <summary>Throws <see cref="PdfLimitException"/> naming the problem when the stream has one.</summary>
    public static void Check(byte[] content, int objectNumber) => new ContentStreamCheck(content, objectNumber).Run();

    private char Current => _at < _text.Length ? _text[_at] : End;

    private char Peek(int ahead) => _at + ahead < _text.Length ? _text[_at + ahead] : End;

    private void Run()
    {
        while (NextToken() is { } token)
        {
            if (token == "BI") SkipInlineImage();
        }
    }

    /// <summary>Reads one token; returns an operator's name, "" for any other token, null at the end of the stream.</summary>
    private string? NextToken()
    {
        while (true)
        {
            while (Current is '\0' or '\t' or '\n' or '\f' or '\r' or ' ') _at++;
            var c = Current;
            switch (c)
            {
                case End:
                    return null;
                case '%':
                    while (Current is not ('\n' or End)) _at++;
                    continue;
                case '/':
                    _at++;
                    while (Current is not End && !IsWhite(Current) && !IsDelimiter(Current)) _at += Current == '#' ? 3 : 1;
                    return "";
                case '[':
                    _at++;
                    Deeper();
                    return "";
                case ']':
                    _at++;
                    _depth = Math.Max(0, _depth - 1);
                    return "";
                case '(':
                    SkipLiteralString();
                    return "";
                case '<' when Peek(1) == '<':
                    SkipDictionary();
                    return "";
                case '<':
                    var close = Array.IndexOf(_text, '>', _at + 1);
                    if (close < 0) throw Problem($"has a hex string (at byte {_at}) that never ends with '>'");
                    _at = close + 1;
                    return "";
            }
            if (IsOperatorChar(c))
            {
                var start = _at;
                while (IsOperatorChar(Current)) _at++;
                return new string(_text, start, _at - start);
            }
            // Numbers, and characters PDFsharp refuses (it stops with an error there): one at a time.
            _at++;
            return "";
        }
    }

    private void Deeper()
    {
        if (++_depth > PdfSyntax.MaxNesting)
            throw Problem($"nests arrays or dictionaries more than {PdfSyntax.MaxNesting} levels deep");
    }

    private void SkipLiteralString()
    {
        var start = _at;
        _at++; // '('
        if (Current == '\xFE' && Peek(1) == '\xFF')
        {
            SkipUtf16String(start);
            return;
        }
        if (Current == '\xFF' && Peek(1) == '\xFE')
            throw Problem($"has a string (at byte {start}) marked as little-endian UTF-16, which PDF does not allow");
        for (var level = 0; ; _at++)
        {
            switch (Current)
            {
                case End:
                    throw Problem($"has a string (at byte {start}) that never ends with ')'");
                case '\\':
                    _at++; // the escaped character never opens or closes
                    break;
                case '(':
                    level++;
                    break;
                case ')' when level == 0:
                    _at++;
                    return;
                case ')':
                    level--;
                    break;
            }
        }
    }

    /// <summary>
    /// PDFsharp reads a string after FE FF as big-endian pairs: it ends at a ')' high byte or a U+0029 at level 0; an
    /// escape takes one byte, and a line feed after it hands the next byte back to the same rules on its own.
    /// </summary>
    private void SkipUtf16String(int start)
    {
        _at += 2; // FE FF
        var level = 0;
        int Next()
        {
            if (Current == End) throw Problem($"has a UTF-16 string (at byte {start}) that never ends with ')'");
            return _text[_at++];
        }
        var high = Next();
        if (high == ')') return;
        var unit = (high << 8) | Next();
        while (true)
        {
            while (unit == '\\')
            {
                unit = Next();
                if (unit == '\n')
                {
                    unit = Next(); // judged again on its own, one byte
                    continue;
                }
                // An escaped character, or an octal code of up to three digits: neither opens nor closes.
                if (char.IsAsciiDigit((char)unit) && char.IsAsciiDigit(Current))
                {
                    _at++;
                    if (char.IsAsciiDigit(Current)) _at++;
                }
                unit = -1;
            }
            if (unit == '(')
            {
                level++;
            }
            else if (unit == ')')
            {
                if (level == 0) return;
                level--;
            }
            high = Next();
            if (high == ')') return;
            unit = (high << 8) | Next();
        }
    }

    /// <summary>
    /// PDFsharp reads a dictionary in content as one token, to the '&gt;&gt;' that balances it, by its own rules: a '&lt;'
    /// counts even inside a string, and a '&gt;&gt;' ends a level even there.
    /// </summary>
    private void SkipDictionary()
    {
        var start = _at;
        var outer = _depth;
        _at += 2;
        Deeper();
        bool inString = false, inHex = false;
        var parens = 0;
        var nested = 0;
        for (; ; _at++)
        {
            var c = Current;
            if (c == End) throw Problem($"has a dictionary (at byte {start}) that never ends with '>>'");
            if (c == '<')
            {
                if (Peek(1) == '<')
                {
                    _at++;
                    nested++;
                    Deeper();
                }
                else
                {
                    inHex = true;
                }
            }
            else if (c == '(' && !inHex)
            {
                if (inString) parens++;
                else (inString, parens) = (true, 0);
            }
            else if (c == ')' && inString)
            {
                if (parens > 0) parens--;
                else inString = false;
            }
            else if (c == '\\' && inString)
            {
                _at++;
            }
            else if (c == '>')
            {
                if (inHex)
                {
                    inHex = false;
                }
                else if (Peek(1) == '>')
                {
                    _at++;
                    if (nested == 0)
                    {
                        _depth = outer;
                        _at++;
                        return;
                    }
                    nested--;
                }
            }
            else if (c == '[' && !inString && !inHex)
            {
                Deeper(); // PDFsharp does not look inside, other readers parse it: bound it too
            }
        }
    }

    /// <summary>After <c>BI</c>: tokens up to the operator <c>ID</c>, then data up to white space, <c>EI</c>, white space.</summary>
    private void SkipInlineImage()
    {
        var start = _at;
        var ascii85 = false;
        while (true)
        {
            var from = _at;
            var token = NextToken() ?? throw Problem($"has an inline image (at byte {start}) whose BI never reaches ID");
            if (token == "ID") break;
            if (DecodedName(new string(_text, from, _at - from).Trim()) is "/ASCII85Decode" or "/A85") ascii85 = true;
        }
        if (ascii85)
        {
            while (!(Current == '~' && Peek(1) == '>'))
            {
                if (Current == End) throw Problem($"has an ASCII85 inline image (at byte {start}) whose data never ends with '~>'");
                _at++;
            }
        }
        while (true)
        {
            if (Current == End) throw Problem($"has an inline image (at byte {start}) whose data never ends with EI");
            if (IsWhite(Current) && Peek(1) == 'E' && Peek(2) == 'I' && IsWhite(Peek(3)))
            {
                _at += 3;
                return;
            }
            _at++;
        }
    }

    /// <summary>A name with its <c>#xx</c> escapes decoded, as PDFsharp compares it.</summary>
    private static string DecodedName(string raw)
    {
        if (!raw.Contains('#', StringComparison.Ordinal)) return raw;
        var decoded = new System.Text.StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '#' && i + 2 < raw.Length && int.TryParse(raw.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber,
                    System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                decoded.Append((char)code);
                i += 2;
            }
            else
            {
                decoded.Append(raw[i]);
            }
        }
        return decoded.ToString();
    }

    private static bool IsWhite(char c) => c is '\0' or '\t' or '\n' or '\f' or '\r' or ' ';

    private static bool IsDelimiter(char c) => c is '(' or ')' or '<' or '>' or '[' or ']' or '/' or '%';

    private static bool IsOperatorChar(char c) => c != End && (char.IsLetter(c) || c is '*' or '\'' or '"');

    private PdfLimitException Problem(string what) => new($"The PDF's page content (object {_objectNumber}) {what}: it is damaged.");
}
