using System.Buffers.Binary;
using System.IO.Compression;
using PdfSharp.Pdf;

namespace ESign.Hub.Sealing;

/// <summary>
/// PDFsharp 6.2.4 writes deflate streams without their end: no final block and no Adler-32 trailer. Readers cope, but
/// <c>qpdf --check</c> warns and exits 3. Saving with NoCompression keeps the streams we add clean; this re-encodes
/// such streams that the original brought along (any PDF that PDFsharp, or a tool with the same flaw, produced).
/// Streams that end properly are left byte for byte as they were, and so is a stream that would inflate past
/// <c>maxStreamBytes</c> (uploads are refused before that, so only a document stored before the limit meets it).
/// </summary>
internal static class FlateStreamRepair
{
    public static void Repair(PdfDocument document, long maxStreamBytes)
    {
        foreach (var item in document.Internals.GetAllObjects())
        {
            if (item is not PdfDictionary { Stream: { } stream } dictionary || !IsFlateOnly(dictionary)) continue;
            var encoded = stream.Value;
            if (encoded.Length < 6) continue;

            var decoded = Documents.PdfObjectTable.InflateCapped(encoded, maxStreamBytes, out var damaged);
            // Damaged beyond this repair (viewers may still show it) or over the limit: leave it alone.
            if (damaged || decoded.Length > maxStreamBytes) continue;
            if (BinaryPrimitives.ReadUInt32BigEndian(encoded.AsSpan(encoded.Length - 4)) == Adler32(decoded)) continue;

            using var output = new MemoryStream(encoded.Length + 16);
            using (var deflater = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
                deflater.Write(decoded);
            stream.Value = output.ToArray();
            dictionary.Elements.SetInteger("/Length", stream.Value.Length);
        }
    }

    private static bool IsFlateOnly(PdfDictionary dictionary) => dictionary.Elements["/Filter"] switch
    {
        PdfName name => name.Value == "/FlateDecode",
        PdfArray { Elements.Count: 1 } array => array.Elements[0] is PdfName { Value: "/FlateDecode" },
        _ => false,
    };

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Modulus = 65521;
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            // 5552 bytes is the most that can be summed before b could overflow 32 bits.
            var chunk = data[..Math.Min(5552, data.Length)];
            foreach (var value in chunk)
            {
                a += value;
                b += a;
            }
            a %= Modulus;
            b %= Modulus;
            data = data[chunk.Length..];
        }
        return (b << 16) | a;
    }
}
