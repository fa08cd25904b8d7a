using System.Globalization;
using System.Text;

namespace ESign.Hub.Documents;

/// <summary>An indirect reference, <c>12 0 R</c>.</summary>
internal sealed record PdfRef(int Number, int Generation);

/// <summary>A name such as <c>/Type</c>; <see cref="Value"/> keeps the slash.</summary>
internal sealed record PdfNameToken(string Value);

/// <summary>A literal or hexadecimal string, as bytes.</summary>
internal sealed record PdfStringToken(byte[] Bytes);

/// <summary>The <c>null</c> object (a C# null means "absent").</summary>
internal sealed class PdfNullToken
{
    public static readonly PdfNullToken Instance = new();
}

/// <summary>A dictionary; when it heads a stream, where the stream's bytes are in the file.</summary>
internal sealed class PdfDictToken : Dictionary<string, object>
{
    public int StreamStart { get; set; } = -1;
    public int StreamLength { get; set; }
    public bool IsStream => StreamStart >= 0;

    public string? NameOf(string key) => TryGetValue(key, out var v) && v is PdfNameToken n ? n.Value : null;
}

/// <summary>The file breaks a limit we keep to protect the hub; the message says which, for the uploader.</summary>
public sealed class PdfLimitException(string message) : Exception(message);

/// <summary>The bytes are not valid PDF syntax where an object was expected (the object is then treated as unreadable).</summary>
internal sealed class PdfSyntaxException(string message) : Exception(message);

/// <summary>
/// Reads PDF objects from bytes with bounded nesting: arrays and dictionaries deeper than <see cref="MaxNesting"/> are
/// refused before they can drive anything recursive (our recursion here is bounded by the same limit).
/// </summary>
internal sealed class PdfSyntax(byte[] data)
{
    public const int MaxNesting = 100;

    public byte[] Data => data;
    public int Position { get; set; }

    public static bool IsWhite(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    public static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
        or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';

    public void SkipWhitespace()
    {
        while (Position < data.Length)
        {
            var b = data[Position];
            if (IsWhite(b)) Position++;
            else if (b == '%')
                while (Position < data.Length && data[Position] is not (10 or 13)) Position++;
            else break;
        }
    }

    /// <summary>True (and moves past it) when the next token is <paramref name="keyword"/>.</summary>
    public bool TryKeyword(string keyword)
    {
        SkipWhitespace();
        var end = Position + keyword.Length;
        if (end > data.Length) return false;
        for (var i = 0; i < keyword.Length; i++)
            if (data[Position + i] != keyword[i]) return false;
        if (end < data.Length && !IsWhite(data[end]) && !IsDelimiter(data[end])) return false;
        Position = end;
        return true;
    }

    /// <summary>A non-negative integer token, or null (position unchanged).</summary>
    public long? TryInteger()
    {
        SkipWhitespace();
        var start = Position;
        long value = 0;
        while (Position < data.Length && data[Position] is >= (byte)'0' and <= (byte)'9' && Position - start < 18)
            value = value * 10 + (data[Position++] - '0');
        if (Position == start || (Position < data.Length && !IsWhite(data[Position]) && !IsDelimiter(data[Position])))
        {
            Position = start;
            return null;
        }
        return value;
    }

    /// <summary>Reads <c>N G obj</c> at the position; returns the object number or null (position unchanged).</summary>
    public int? TryObjectHeader()
    {
        var start = Position;
        if (TryInteger() is { } number and <= int.MaxValue && TryInteger() is not null && TryKeyword("obj")) return (int)number;
        Position = start;
        return null;
    }

    public object ReadValue(int depth = 0)
    {
        if (depth > MaxNesting)
            throw new PdfLimitException($"The PDF nests arrays or dictionaries more than {MaxNesting} levels deep.");
        SkipWhitespace();
        if (Position >= data.Length) throw new PdfSyntaxException("Unexpected end of file.");
        var b = data[Position];
        switch (b)
        {
            case (byte)'/':
                return ReadName();
            case (byte)'(':
                return ReadLiteralString();
            case (byte)'<' when Position + 1 < data.Length && data[Position + 1] == '<':
                return ReadDictionary(depth);
            case (byte)'<':
                return ReadHexString();
            case (byte)'[':
            {
                Position++;
                var list = new List<object>();
                while (true)
                {
                    SkipWhitespace();
                    if (Position >= data.Length) throw new PdfSyntaxException("Unterminated array.");
                    if (data[Position] == ']')
                    {
                        Position++;
                        return list;
                    }
                    list.Add(ReadValue(depth + 1));
                }
            }
            case (byte)'+' or (byte)'-' or (byte)'.' or (>= (byte)'0' and <= (byte)'9'):
                return ReadNumberOrReference();
        }
        if (TryKeyword("true")) return true;
        if (TryKeyword("false")) return false;
        if (TryKeyword("null")) return PdfNullToken.Instance;
        throw new PdfSyntaxException($"Unexpected byte 0x{b:x2} at offset {Position}.");
    }

    private PdfDictToken ReadDictionary(int depth)
    {
        Position += 2;
        var dictionary = new PdfDictToken();
        while (true)
        {
            SkipWhitespace();
            if (Position + 1 < data.Length && data[Position] == '>' && data[Position + 1] == '>')
            {
                Position += 2;
                return dictionary;
            }
            if (Position >= data.Length || data[Position] != '/') throw new PdfSyntaxException($"Expected a name key at offset {Position}.");
            var key = ReadName().Value;
            dictionary[key] = ReadValue(depth + 1);
        }
    }

    private PdfNameToken ReadName()
    {
        var start = ++Position;
        while (Position < data.Length && !IsWhite(data[Position]) && !IsDelimiter(data[Position])) Position++;
        return new PdfNameToken("/" + Encoding.Latin1.GetString(data, start, Position - start));
    }

    private PdfStringToken ReadLiteralString()
    {
        Position++;
        var bytes = new List<byte>();
        var open = 1;
        while (Position < data.Length)
        {
            var b = data[Position++];
            if (b == '\\' && Position < data.Length)
            {
                bytes.Add(data[Position++]); // exact escape decoding is not needed to judge structure
                continue;
            }
            if (b == '(') open++;
            else if (b == ')' && --open == 0) return new PdfStringToken([.. bytes]);
            bytes.Add(b);
        }
        throw new PdfSyntaxException("Unterminated string.");
    }

    private PdfStringToken ReadHexString()
    {
        var end = Array.IndexOf(data, (byte)'>', Position);
        if (end < 0) throw new PdfSyntaxException("Unterminated hex string.");
        Position = end + 1;
        return new PdfStringToken([]);
    }

    private object ReadNumberOrReference()
    {
        var start = Position;
        Position++;
        while (Position < data.Length && data[Position] is (byte)'.' or (>= (byte)'0' and <= (byte)'9')) Position++;
        var text = Encoding.ASCII.GetString(data, start, Position - start);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) number = 0;
        // "12 0 R" is a reference; only unsigned integers can start one.
        if (text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var objectNumber))
        {
            var after = Position;
            if (TryInteger() is { } generation and <= 65535 && TryKeyword("R")) return new PdfRef(objectNumber, (int)generation);
            Position = after;
        }
        return number;
    }
}
