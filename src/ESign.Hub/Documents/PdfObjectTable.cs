using System.Buffers;
using System.IO.Compression;

namespace ESign.Hub.Documents;

/// <summary>
/// The objects of a PDF as a reader that follows the cross-reference sections sees them (PDFsharp, poppler, PdfPig),
/// with a scan of the whole file for objects the sections do not list (what repairing readers fall back to). Every walk
/// here is a loop with a visited set; nothing recurses on the file's structure.
/// </summary>
internal sealed class PdfObjectTable
{
    private const int MaxXrefSections = 1000;
    private const int MaxReferenceHops = 32;

    private readonly PdfSyntax _syntax;
    private readonly byte[] _data;
    private readonly Dictionary<int, int> _offsets = [];                       // from cross-reference sections
    private readonly Dictionary<int, (int Stream, int Index)> _compressed = [];  // objects inside object streams
    private readonly Dictionary<int, int> _scanned = [];                       // found by scanning, last one wins
    private readonly Dictionary<int, object?> _cache = [];
    private readonly Dictionary<int, Dictionary<int, object?>> _objectStreams = [];
    private readonly StreamDecoder _inflate;

    /// <summary>Trailer dictionaries, newest first (classic trailers and cross-reference stream dictionaries).</summary>
    public List<PdfDictToken> Trailers { get; } = [];

    /// <summary>The streams the cross-reference streams name as holding compressed objects.</summary>
    public IReadOnlySet<int> ObjectStreamNumbers => _compressed.Values.Select(v => v.Stream).ToHashSet();

    public IEnumerable<int> ObjectNumbers => _offsets.Keys.Concat(_compressed.Keys).Concat(_scanned.Keys).Distinct();

    /// <summary>Decodes a stream's raw bytes (with the caller's caps and accounting).</summary>
    public delegate byte[] StreamDecoder(PdfDictToken stream, ReadOnlySpan<byte> raw);

    public PdfObjectTable(byte[] data, StreamDecoder inflate)
    {
        _data = data;
        _syntax = new PdfSyntax(data);
        _inflate = inflate;
        ReadCrossReferences();
        Scan();
    }

    /// <summary>Follows references (a bounded number of hops) to a direct object; null when absent or unreadable.</summary>
    public object? Resolve(object? value)
    {
        for (var hops = 0; value is PdfRef reference; hops++)
        {
            if (hops == MaxReferenceHops) return null;
            value = Get(reference.Number);
        }
        return value is PdfNullToken ? null : value;
    }

    public object? Get(int number)
    {
        if (_cache.TryGetValue(number, out var cached)) return cached;
        _cache[number] = null; // an object stream that contains itself reads as absent, not forever
        object? value = null;
        if (_offsets.TryGetValue(number, out var offset)) value = ReadAt(offset, number);
        else if (_compressed.TryGetValue(number, out var location)) value = ReadCompressed(location.Stream, location.Index, number);
        if (value is null && _scanned.TryGetValue(number, out var scannedAt)) value = ReadAt(scannedAt, number);
        _cache[number] = value;
        return value;
    }

    /// <summary>The raw (still encoded) bytes of a stream.</summary>
    public ReadOnlySpan<byte> RawStream(PdfDictToken stream) => _data.AsSpan(stream.StreamStart, stream.StreamLength);

    private object? ReadAt(int offset, int expectedNumber)
    {
        if (offset < 0 || offset >= _data.Length) return null;
        _syntax.Position = offset;
        if (_syntax.TryObjectHeader() != expectedNumber) return null;
        return ReadObjectBody();
    }

    /// <summary>The value after <c>N G obj</c>, and the stream that follows a dictionary.</summary>
    private object? ReadObjectBody()
    {
        object value;
        try
        {
            value = _syntax.ReadValue();
        }
        catch (PdfSyntaxException)
        {
            return null;
        }
        if (value is PdfDictToken dictionary && _syntax.TryKeyword("stream")) LocateStream(dictionary);
        return value;
    }

    private void LocateStream(PdfDictToken dictionary)
    {
        var position = _syntax.Position;
        if (position < _data.Length && _data[position] == '\r') position++;
        if (position < _data.Length && _data[position] == '\n') position++;
        dictionary.StreamStart = position;
        // Trust /Length only when "endstream" follows it; otherwise look for "endstream" as repairing readers do.
        if (dictionary.TryGetValue("/Length", out var length) && length is double declared && declared >= 0 && position + declared <= _data.Length)
        {
            _syntax.Position = position + (int)declared;
            if (_syntax.TryKeyword("endstream"))
            {
                dictionary.StreamLength = (int)declared;
                return;
            }
        }
        var stop = NextEndstream(position);
        dictionary.StreamLength = (stop < 0 ? _data.Length : stop) - position;
        _syntax.Position = stop < 0 ? _data.Length : stop + "endstream".Length;
    }

    private int[]? _endstreams;

    /// <summary>
    /// The first "endstream" at or after <paramref name="position"/>, or -1. The places are found once for the file: a
    /// search to the end for every object with a wrong /Length made a crafted file cost objects × size.
    /// </summary>
    private int NextEndstream(int position)
    {
        if (_endstreams is null)
        {
            var found = new List<int>();
            for (var at = 0; at < _data.Length;)
            {
                var next = _data.AsSpan(at).IndexOf("endstream"u8);
                if (next < 0) break;
                found.Add(at + next);
                at += next + "endstream".Length;
            }
            _endstreams = [.. found];
        }
        var index = Array.BinarySearch(_endstreams, position);
        if (index < 0) index = ~index;
        return index < _endstreams.Length ? _endstreams[index] : -1;
    }

    private object? ReadCompressed(int streamNumber, int index, int number)
    {
        if (!_objectStreams.TryGetValue(streamNumber, out var objects))
        {
            _objectStreams[streamNumber] = objects = [];
            if (Get(streamNumber) is PdfDictToken { IsStream: true } stream && stream.NameOf("/Type") == "/ObjStm")
                ReadObjectStream(stream, objects);
        }
        _ = index;
        return objects.GetValueOrDefault(number);
    }

    private void ReadObjectStream(PdfDictToken stream, Dictionary<int, object?> objects)
    {
        var decoded = _inflate(stream, RawStream(stream));
        var syntax = new PdfSyntax(decoded);
        var count = stream.TryGetValue("/N", out var n) && n is double d ? (int)Math.Min(d, 1_000_000) : 0;
        var first = stream.TryGetValue("/First", out var f) && f is double fd ? (int)fd : 0;
        var headers = new List<(int Number, long Offset)>();
        for (var i = 0; i < count; i++)
        {
            if (syntax.TryInteger() is not { } number || syntax.TryInteger() is not { } offset || number > int.MaxValue) break;
            headers.Add(((int)number, offset));
        }
        foreach (var (number, offset) in headers)
        {
            if (first < 0 || offset < 0 || first + offset >= decoded.Length) continue;
            syntax.Position = first + (int)offset;
            try
            {
                objects.TryAdd(number, syntax.ReadValue());
            }
            catch (PdfSyntaxException)
            {
                objects.TryAdd(number, null);
            }
        }
    }

    private void ReadCrossReferences()
    {
        var tail = _data.AsSpan(Math.Max(0, _data.Length - 2048));
        var at = tail.LastIndexOf("startxref"u8);
        if (at < 0) return;
        _syntax.Position = _data.Length - tail.Length + at + "startxref".Length;
        if (_syntax.TryInteger() is not { } start) return;

        var pending = new Queue<long>([start]);
        var seen = new HashSet<long>();
        while (pending.TryDequeue(out var offset) && seen.Count < MaxXrefSections)
        {
            if (offset < 0 || offset >= _data.Length || !seen.Add(offset)) continue;
            try
            {
                var trailer = ReadCrossReferenceSection((int)offset);
                if (trailer is null) continue;
                Trailers.Add(trailer);
                if (trailer.TryGetValue("/XRefStm", out var hybrid) && hybrid is double h) pending.Enqueue((long)h);
                if (trailer.TryGetValue("/Prev", out var prev) && prev is double p) pending.Enqueue((long)p);
            }
            catch (PdfSyntaxException)
            {
                // A broken section: the scan below still finds the objects.
            }
        }
    }

    private PdfDictToken? ReadCrossReferenceSection(int offset)
    {
        _syntax.Position = offset;
        if (_syntax.TryKeyword("xref"))
        {
            while (_syntax.TryInteger() is { } first && _syntax.TryInteger() is { } count)
            {
                for (long i = 0; i < count; i++)
                {
                    if (_syntax.TryInteger() is not { } entryOffset || _syntax.TryInteger() is null) throw new PdfSyntaxException("Bad xref entry.");
                    var inUse = _syntax.TryKeyword("n");
                    if (!inUse && !_syntax.TryKeyword("f")) throw new PdfSyntaxException("Bad xref entry.");
                    var number = first + i;
                    // Newer sections come first, so the first entry seen for a number is the one in force.
                    if (inUse && number <= int.MaxValue && !_compressed.ContainsKey((int)number) && entryOffset <= int.MaxValue)
                        _offsets.TryAdd((int)number, (int)entryOffset);
                }
            }
            return _syntax.TryKeyword("trailer") && _syntax.ReadValue() is PdfDictToken trailer ? trailer : null;
        }
        if (_syntax.TryObjectHeader() is not { } streamNumber) return null;
        if (ReadObjectBody() is not PdfDictToken { IsStream: true } xref || xref.NameOf("/Type") != "/XRef") return null;
        _cache.TryAdd(streamNumber, xref);
        ReadCrossReferenceStream(xref);
        return xref;
    }

    private void ReadCrossReferenceStream(PdfDictToken xref)
    {
        if (!xref.TryGetValue("/W", out var w) || w is not List<object> { Count: 3 } widthList) return;
        var widths = widthList.Select(x => x is double d && d is >= 0 and <= 8 ? (int)d : -1).ToArray();
        if (widths.Any(x => x < 0)) return;
        var rowLength = widths.Sum();
        if (rowLength == 0) return;
        var size = xref.TryGetValue("/Size", out var s) && s is double sd ? (long)sd : 0;
        var index = xref.TryGetValue("/Index", out var ix) && ix is List<object> list
            ? list.OfType<double>().Select(x => (long)x).ToList()
            : [0, size];
        var rows = Unpredict(_inflate(xref, RawStream(xref)), xref, rowLength);
        var row = 0;
        for (var pair = 0; pair + 1 < index.Count; pair += 2)
        {
            for (long i = 0; i < index[pair + 1] && (row + 1) * rowLength <= rows.Length; i++, row++)
            {
                var entry = rows.AsSpan(row * rowLength, rowLength);
                var type = widths[0] == 0 ? 1 : Field(entry[..widths[0]]);
                var second = Field(entry.Slice(widths[0], widths[1]));
                var third = Field(entry.Slice(widths[0] + widths[1], widths[2]));
                var number = index[pair] + i;
                if (number > int.MaxValue || _offsets.ContainsKey((int)number) || _compressed.ContainsKey((int)number)) continue;
                if (type == 1 && second <= int.MaxValue) _offsets[(int)number] = (int)second;
                else if (type == 2 && second <= int.MaxValue && third <= int.MaxValue) _compressed[(int)number] = ((int)second, (int)third);
            }
        }
    }

    private static long Field(ReadOnlySpan<byte> bytes)
    {
        long value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    /// <summary>Undoes the PNG "Up" style predictors cross-reference streams use (/Predictor 10–15).</summary>
    private static byte[] Unpredict(byte[] decoded, PdfDictToken stream, int rowLength)
    {
        if (!stream.TryGetValue("/DecodeParms", out var parms) || parms is not PdfDictToken p
            || !p.TryGetValue("/Predictor", out var pr) || pr is not double predictor || predictor < 10)
            return decoded;
        var stride = rowLength + 1;
        var output = new byte[decoded.Length / stride * rowLength];
        var previous = new byte[rowLength];
        for (var r = 0; r < decoded.Length / stride; r++)
        {
            var filter = decoded[r * stride];
            var row = output.AsSpan(r * rowLength, rowLength);
            decoded.AsSpan(r * stride + 1, rowLength).CopyTo(row);
            for (var i = 0; i < rowLength; i++)
            {
                var left = i > 0 ? row[i - 1] : (byte)0;
                var up = previous[i];
                var upLeft = i > 0 ? previous[i - 1] : (byte)0;
                row[i] += filter switch
                {
                    1 => left,
                    2 => up,
                    3 => (byte)((left + up) / 2),
                    4 => Paeth(left, up, upLeft),
                    _ => 0,
                };
            }
            row.CopyTo(previous);
        }
        return output;
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Every <c>N G obj</c> at the top level of the file (stream data skipped), and trailers without a section.</summary>
    private void Scan()
    {
        var position = 0;
        var trailersFound = new List<PdfDictToken>();
        while (position < _data.Length)
        {
            var next = NextCandidate(position);
            if (next < 0) break;
            _syntax.Position = next;
            if (_data[next] == 't')
            {
                if (_syntax.TryKeyword("trailer"))
                {
                    try
                    {
                        if (_syntax.ReadValue() is PdfDictToken trailer) trailersFound.Add(trailer);
                    }
                    catch (PdfSyntaxException)
                    {
                    }
                    position = Math.Max(_syntax.Position, next + 1);
                }
                else position = next + 1;
                continue;
            }
            if (_syntax.TryObjectHeader() is { } number)
            {
                var body = ReadObjectBody();
                _scanned[number] = next;
                if (body is PdfDictToken { IsStream: true } d && d.NameOf("/Type") == "/XRef") trailersFound.Add(d);
                position = Math.Max(_syntax.Position, next + 1);
            }
            else position = next + 1;
        }
        // When the sections are unreadable, the newest trailer is the last one in the file.
        if (Trailers.Count == 0) Trailers.AddRange(Enumerable.Reverse(trailersFound));
    }

    /// <summary>The next place a line could start "N G obj" or "trailer".</summary>
    private int NextCandidate(int from)
    {
        for (var i = from; i < _data.Length; i++)
        {
            var b = _data[i];
            if ((b is >= (byte)'0' and <= (byte)'9' || b == 't') && (i == 0 || PdfSyntax.IsWhite(_data[i - 1]) || PdfSyntax.IsDelimiter(_data[i - 1])))
                return i;
        }
        return -1;
    }

    /// <summary>Decodes a FlateDecode stream into at most <paramref name="limit"/> bytes (+1, so a caller can see it was exceeded).</summary>
    public static byte[] InflateCapped(ReadOnlySpan<byte> raw, long limit, out bool damaged)
    {
        damaged = false;
        using var input = new MemoryStream(raw.ToArray(), writable: false);
        using var inflater = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (output.Length <= limit)
            {
                int read;
                try
                {
                    read = inflater.Read(buffer, 0, (int)Math.Min(buffer.Length, limit + 1 - output.Length));
                }
                catch (InvalidDataException)
                {
                    damaged = true;
                    break;
                }
                if (read == 0) break;
                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.ToArray();
    }
}
