using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ESign.Hub.Samples;

/// <summary>
/// PNG files encoded by hand (RGBA, zlib via System.IO.Compression): a drawn-looking signature stroke. Shared by the
/// tests and the benchmarks.
/// </summary>
public static class TestPngs
{
    /// <param name="seed">Varies the stroke, so several signatures on one page differ.</param>
    public static byte[] Signature(int width = 300, int height = 100, int seed = 0)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++)
            {
                var curve = height / 2.0 + height / 4.0 * Math.Sin(x / (width / (9.0 + seed)) + seed);
                var ink = Math.Abs(y - curve) < Math.Max(1.5, height / 40.0);
                raw.Write([16, 32, 96, (byte)(ink ? 255 : 0)]);
            }
        }
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) raw.WriteTo(zlib);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bits per channel
        header[9] = 6;  // RGBA
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
