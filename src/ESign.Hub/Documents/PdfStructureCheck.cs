using System.Globalization;

namespace ESign.Hub.Documents;

/// <summary>Limits from <c>Hub:Documents</c> that a PDF must keep.</summary>
public sealed record PdfLimits(int MaxPages, long MaxStreamDecompressedBytes, long MaxDocumentDecompressedBytes)
{
    public static PdfLimits From(Hosting.DocumentLimitOptions options) =>
        new(options.MaxPages, options.MaxStreamDecompressedBytes, options.MaxDocumentDecompressedBytes);
}

/// <summary>
/// Checks a PDF's structure before any PDF library reads it. PDFsharp, PdfPig and poppler walk page trees, parent chains
/// and nested objects recursively, and a stack overflow ends the whole process (.NET cannot catch it), so the shapes that
/// drive them too deep are refused here with loops of our own: cyclic or very deep page trees, parent chains that loop,
/// deeply nested arrays or dictionaries (in objects and in page content), too many pages, page sizes no page has, and
/// compressed streams that inflate past the limits (decompression bombs). PDFsharp's lexers also loop forever on a hex
/// string that the end of their input cuts off (<c>&lt;40</c> and then nothing): the file itself is protected by
/// <see cref="PdfSharpInput"/>; object streams, which PDFsharp decodes and lexes on its own, must not end in one, and
/// page content must be something PDFsharp's content lexer finishes reading (<see cref="ContentStreamCheck"/>). Also tells an encrypted file by its trailer.
/// </summary>
public static class PdfStructureCheck
{
    /// <summary>Deeper than any real page tree (balanced trees of 10 kids hold 10^64 pages at this depth).</summary>
    public const int MaxPageTreeDepth = 64;

    /// <summary>The largest page side ISO 32000 allows (200 inches), in points.</summary>
    public const double MaxPageSide = 14_400;

    /// <summary>Returns null when the PDF keeps every limit, else a sentence saying what is wrong.</summary>
    public static string? Check(byte[] pdf, PdfLimits limits)
    {
        try
        {
            var decoder = new CountingDecoder(limits);
            var table = new PdfObjectTable(pdf, decoder.Decode);
            if (table.Trailers.Any(t => t.ContainsKey("/Encrypt")))
                return "The PDF is encrypted or password-protected. Remove the protection and upload it again.";
            var catalog = table.Trailers.Select(t => table.Resolve(t.GetValueOrDefault("/Root"))).OfType<PdfDictToken>().FirstOrDefault();
            if (catalog is null) return "The PDF is damaged: it has no document catalog (/Root).";
            if (table.Resolve(catalog.GetValueOrDefault("/Pages")) is not PdfDictToken)
                return "The PDF is damaged: its catalog has no page tree (/Pages).";

            var contentStreams = CheckPageTree(table, catalog.GetValueOrDefault("/Pages")!, limits);
            var objectStreams = table.ObjectStreamNumbers;
            foreach (var number in table.ObjectNumbers.Order())
            {
                if (table.Resolve(new PdfRef(number, 0)) is not PdfDictToken { IsStream: true } stream) continue;
                var isContent = contentStreams.Contains(number) || stream.NameOf("/Subtype") == "/Form" || stream.NameOf("/Type") == "/Pattern";
                var decoded = decoder.Decode(stream, table.RawStream(stream));
                if (isContent) ContentStreamCheck.Check(decoded, number);
                if (stream.NameOf("/Type") == "/ObjStm" || objectStreams.Contains(number)) CheckObjectStreamEnd(decoded, number);
            }
            return null;
        }
        catch (PdfLimitException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A file our reader cannot follow is damaged for every other reader too: a 422, never a 500.
            return "The PDF is damaged and cannot be read: " + e.Message;
        }
    }

    /// <summary>Walks /Pages iteratively; returns the object numbers of the pages' content streams.</summary>
    private static HashSet<int> CheckPageTree(PdfObjectTable table, object pagesRoot, PdfLimits limits)
    {
        var contents = new HashSet<int>();
        var visited = new HashSet<int>();
        var pageCount = 0;
        var pending = new Stack<(object Node, int Depth)>();
        pending.Push((pagesRoot, 1));
        while (pending.TryPop(out var item))
        {
            var (node, depth) = item;
            if (node is PdfRef reference && !visited.Add(reference.Number))
                throw new PdfLimitException($"The PDF's page tree refers back to itself (object {reference.Number}): it is damaged or made to crash readers.");
            if (depth > MaxPageTreeDepth)
                throw new PdfLimitException($"The PDF's page tree is more than {MaxPageTreeDepth} levels deep.");
            if (table.Resolve(node) is not PdfDictToken dictionary) continue; // PDF readers skip a missing kid
            var kids = table.Resolve(dictionary.GetValueOrDefault("/Kids"));
            if (dictionary.NameOf("/Type") == "/Pages" || (dictionary.NameOf("/Type") != "/Page" && kids is List<object>))
            {
                if (kids is not List<object> list) continue;
                // Reversed, so pages are met in document order (for the page number in messages).
                for (var i = list.Count - 1; i >= 0; i--) pending.Push((list[i], depth + 1));
                continue;
            }
            pageCount++;
            if (pageCount > limits.MaxPages)
                throw new PdfLimitException($"The PDF has more than {limits.MaxPages:N0} pages, the most a document may have (Hub:Documents:MaxPages). Split it.");
            CheckPage(table, dictionary, pageCount);
            switch (dictionary.GetValueOrDefault("/Contents"))
            {
                case PdfRef single:
                    contents.Add(single.Number);
                    if (table.Resolve(single) is List<object> indirectArray) contents.UnionWith(indirectArray.OfType<PdfRef>().Select(r => r.Number));
                    break;
                case List<object> array:
                    contents.UnionWith(array.OfType<PdfRef>().Select(r => r.Number));
                    break;
            }
        }
        if (pageCount == 0) throw new PdfLimitException("The PDF has no pages.");
        return contents;
    }

    /// <summary>Its /Parent chain must end (inherited attributes are looked up along it) and its MediaBox be a real size.</summary>
    private static void CheckPage(PdfObjectTable table, PdfDictToken page, int pageNumber)
    {
        object? mediaBox = page.GetValueOrDefault("/MediaBox");
        var seen = new HashSet<int>();
        var parent = page.GetValueOrDefault("/Parent");
        for (var depth = 0; parent is not null; depth++)
        {
            if (depth > MaxPageTreeDepth || (parent is PdfRef r && !seen.Add(r.Number)))
                throw new PdfLimitException($"The /Parent chain of page {pageNumber} loops or is more than {MaxPageTreeDepth} levels deep.");
            if (table.Resolve(parent) is not PdfDictToken node) break;
            mediaBox ??= node.GetValueOrDefault("/MediaBox");
            parent = node.GetValueOrDefault("/Parent");
        }
        if (mediaBox is null) return; // readers use a default size
        if (table.Resolve(mediaBox) is not List<object> { Count: 4 } box || box.Any(v => table.Resolve(v) is not double))
            throw new PdfLimitException($"Page {pageNumber} has a MediaBox that is not four numbers.");
        var numbers = box.Select(v => (double)table.Resolve(v)!).ToArray();
        var (width, height) = (Math.Abs(numbers[2] - numbers[0]), Math.Abs(numbers[3] - numbers[1]));
        if (width < 1 || height < 1 || width > MaxPageSide || height > MaxPageSide)
            throw new PdfLimitException(string.Create(CultureInfo.InvariantCulture,
                $"Page {pageNumber} has a MediaBox [{string.Join(' ', numbers)}]: a page's width and height must be between 1 and {MaxPageSide:0} points."));
    }

    /// <summary>
    /// PDFsharp lexes an object stream from the offsets in its header, which may land anywhere in it: after its last
    /// <c>&gt;</c>, no <c>&lt;</c> at all (not even in a string), or a hex string could run into the end of the data.
    /// </summary>
    private static void CheckObjectStreamEnd(byte[] decoded, int objectNumber)
    {
        var lastClose = decoded.AsSpan().LastIndexOf((byte)'>');
        var open = decoded.AsSpan(lastClose + 1).IndexOf((byte)'<');
        if (open >= 0)
            throw new PdfLimitException($"The PDF's object stream {objectNumber} is damaged: the hex string at byte {lastClose + 1 + open} of its data never ends with '>'.");
    }

    /// <summary>Decodes streams, counting each one's inflated bytes once against the per-stream and per-document limits.</summary>
    private sealed class CountingDecoder(PdfLimits limits)
    {
        private readonly HashSet<int> _counted = [];
        private long _total;

        /// <summary>
        /// Decodes the stream's whole filter chain as readers do, counting every inflated byte. Text encodings
        /// (ASCIIHex, ASCII85) may come before one Flate stage and image codecs after it; other chains (Flate twice, LZW,
        /// run-length, filters named indirectly) are refused, since they could hide a bomb from the count.
        /// </summary>
        public byte[] Decode(PdfDictToken stream, ReadOnlySpan<byte> raw)
        {
            var data = raw.ToArray();
            var inflated = false;
            foreach (var filter in Filters(stream))
            {
                switch (filter)
                {
                    case "/ASCIIHexDecode" or "/AHx":
                        data = PdfTextFilters.AsciiHex(data);
                        break;
                    case "/ASCII85Decode" or "/A85":
                        data = PdfTextFilters.Ascii85(data);
                        break;
                    case "/FlateDecode" or "/Fl":
                        if (inflated)
                            throw new PdfLimitException("A stream in the PDF is compressed twice over; this hub does not accept that. Re-save the PDF and upload it again.");
                        data = Inflate(stream, data);
                        inflated = true;
                        break;
                    case "/DCTDecode" or "/JPXDecode" or "/CCITTFaxDecode" or "/JBIG2Decode" or "/DCT" or "/CCF":
                        // Image codecs: what they make is bounded by the page image's pixel cap, not decoded here.
                        return data;
                    case "/LZWDecode" or "/LZW" or "/RunLengthDecode" or "/RL":
                        throw new PdfLimitException($"The PDF compresses a stream with {filter[1..]}, which this hub does not accept. " +
                            "Re-save it (for example, print it to PDF) and upload it again.");
                    default:
                        throw new PdfLimitException($"The PDF uses the stream filter {filter}, which this hub does not know.");
                }
            }
            return data;
        }

        private byte[] Inflate(PdfDictToken stream, byte[] raw)
        {
            var decoded = PdfObjectTable.InflateCapped(raw, limits.MaxStreamDecompressedBytes, out _);
            if (decoded.Length > limits.MaxStreamDecompressedBytes)
                throw new PdfLimitException($"A compressed stream in the PDF inflates to more than {Megabytes(limits.MaxStreamDecompressedBytes)} " +
                    "(Hub:Documents:MaxStreamDecompressedBytes); it may be a decompression bomb.");
            if (_counted.Add(stream.StreamStart)) _total += decoded.Length;
            if (_total > limits.MaxDocumentDecompressedBytes)
                throw new PdfLimitException($"The PDF's compressed streams inflate to more than {Megabytes(limits.MaxDocumentDecompressedBytes)} " +
                    "in total (Hub:Documents:MaxDocumentDecompressedBytes); it may be a decompression bomb.");
            return decoded;
        }

        private static IEnumerable<string> Filters(PdfDictToken stream) => stream.GetValueOrDefault("/Filter") switch
        {
            null => [],
            PdfNameToken name => [name.Value],
            List<object> list when list.All(f => f is PdfNameToken) => list.Cast<PdfNameToken>().Select(f => f.Value).ToList(),
            _ => throw new PdfLimitException("The PDF names a stream's filters indirectly or not as names, which this hub does not accept. " +
                "Re-save it and upload it again."),
        };

        private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB");
    }
}
