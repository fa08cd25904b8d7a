using System.Buffers.Binary;
using System.IO.Compression;

namespace ESign.Hub.Signing;

/// <summary>
/// A signer's adopted signature or initials, decoded in full when it is submitted and stored re-encoded as a plain 8-bit
/// RGBA PNG. A PNG with a valid header but broken pixel data used to be accepted and then failed every sealing attempt;
/// now whatever the sealer later reads is an image we wrote ourselves.
/// </summary>
public static class SignatureImage
{
    public const int MaxWidth = 2000;
    public const int MaxHeight = 1000;

    private static ReadOnlySpan<byte> Magic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The image re-encoded, or a sentence saying what is wrong with it.</summary>
    public static (byte[]? Png, string? Problem) Normalize(byte[] png)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Magic)) return (null, "The image is not a PNG.");
        int width = 0, height = 0, depth = 0, colorType = -1;
        byte[]? palette = null, paletteAlpha = null;
        using var compressed = new MemoryStream();
        var position = 8;
        var ended = false;
        while (!ended)
        {
            if (position + 12 > png.Length) return (null, "The PNG is cut short: it has no IEND chunk.");
            var length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            if (length > png.Length - position - 12) return (null, "The PNG is cut short inside a chunk.");
            var type = png.AsSpan(position + 4, 4);
            var data = png.AsSpan(position + 8, (int)length);
            if (BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position + 8 + (int)length)) != Crc32(png.AsSpan(position + 4, 4 + (int)length)))
                return (null, "The PNG is damaged: a chunk's checksum does not match.");
            position += 12 + (int)length;

            if (type.SequenceEqual("IHDR"u8))
            {
                if (length != 13) return (null, "The PNG's header is malformed.");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                (depth, colorType) = (data[8], data[9]);
                if (width is < 1 or > MaxWidth || height is < 1 or > MaxHeight)
                    return (null, $"The image must be at most {MaxWidth}×{MaxHeight} pixels.");
                if (data[10] != 0 || data[11] != 0) return (null, "The PNG uses an unknown compression or filter method.");
                if (data[12] != 0) return (null, "Interlaced PNGs are not accepted; save the image without interlacing.");
                if (Channels(colorType) == 0 || !ValidDepth(colorType, depth))
                    return (null, $"The PNG's colour type {colorType} with bit depth {depth} is not valid.");
            }
            else if (width == 0) return (null, "The PNG does not start with its IHDR header.");
            else if (type.SequenceEqual("PLTE"u8)) palette = data.ToArray();
            else if (type.SequenceEqual("tRNS"u8)) paletteAlpha = data.ToArray();
            else if (type.SequenceEqual("IDAT"u8)) compressed.Write(data);
            else if (type.SequenceEqual("IEND"u8)) ended = true;
        }
        if (colorType == 3 && palette is not { Length: > 0 } || palette is { Length: var n } && n % 3 != 0)
            return (null, "The PNG's palette is missing or malformed.");

        var bitsPerPixel = Channels(colorType) * depth;
        var rowBytes = (width * bitsPerPixel + 7) / 8;
        var expected = (long)height * (rowBytes + 1);
        var raw = new byte[expected];
        try
        {
            compressed.Position = 0;
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            var read = 0;
            while (read < raw.Length)
            {
                var got = inflater.Read(raw, read, raw.Length - read);
                if (got == 0) return (null, "The PNG's pixel data is incomplete.");
                read += got;
            }
        }
        catch (InvalidDataException)
        {
            return (null, "The PNG's pixel data is damaged and cannot be decoded.");
        }

        var rgba = new byte[width * height * 4];
        var previous = new byte[rowBytes];
        var row = new byte[rowBytes];
        var step = Math.Max(1, bitsPerPixel / 8);
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (rowBytes + 1)];
            if (filter > 4) return (null, "The PNG's pixel data is damaged (unknown row filter).");
            Array.Copy(raw, y * (rowBytes + 1) + 1, row, 0, rowBytes);
            Unfilter(filter, row, previous, step);
            for (var x = 0; x < width; x++)
            {
                var pixel = rgba.AsSpan((y * width + x) * 4, 4);
                if (!ReadPixel(row, x, colorType, depth, palette, paletteAlpha, pixel))
                    return (null, "The PNG's pixel data refers to a colour its palette does not have.");
            }
            (previous, row) = (row, previous);
        }
        return (EncodeRgba(width, height, rgba), null);
    }

    private static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };

    private static bool ValidDepth(int colorType, int depth) => colorType switch
    {
        0 => depth is 1 or 2 or 4 or 8 or 16,
        3 => depth is 1 or 2 or 4 or 8,
        _ => depth is 8 or 16,
    };

    private static void Unfilter(byte filter, byte[] row, byte[] previous, int step)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int left = i >= step ? row[i - step] : 0, up = previous[i], upLeft = i >= step ? previous[i - step] : 0;
            row[i] += filter switch
            {
                1 => (byte)left,
                2 => (byte)up,
                3 => (byte)((left + up) / 2),
                4 => Paeth(left, up, upLeft),
                _ => 0,
            };
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    /// <summary>Sample <paramref name="index"/> of the row, scaled to 8 bits (16-bit samples keep their high byte).</summary>
    private static int Sample(byte[] row, int index, int depth)
    {
        if (depth == 8) return row[index];
        if (depth == 16) return row[index * 2];
        var bit = index * depth;
        var value = (row[bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
        return value;
    }

    private static bool ReadPixel(byte[] row, int x, int colorType, int depth, byte[]? palette, byte[]? paletteAlpha, Span<byte> rgba)
    {
        var channels = Channels(colorType);
        int Channel(int c) => Sample(row, x * channels + c, depth);
        switch (colorType)
        {
            case 0:
                var gray = depth < 8 ? Channel(0) * 255 / ((1 << depth) - 1) : Channel(0);
                rgba[0] = rgba[1] = rgba[2] = (byte)gray;
                rgba[3] = 255;
                return true;
            case 2:
                (rgba[0], rgba[1], rgba[2], rgba[3]) = ((byte)Channel(0), (byte)Channel(1), (byte)Channel(2), 255);
                return true;
            case 3:
                var index = Channel(0);
                if (index * 3 + 2 >= palette!.Length) return false;
                (rgba[0], rgba[1], rgba[2]) = (palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]);
                rgba[3] = paletteAlpha is not null && index < paletteAlpha.Length ? paletteAlpha[index] : (byte)255;
                return true;
            case 4:
                rgba[0] = rgba[1] = rgba[2] = (byte)Channel(0);
                rgba[3] = (byte)Channel(1);
                return true;
            default:
                (rgba[0], rgba[1], rgba[2], rgba[3]) = ((byte)Channel(0), (byte)Channel(1), (byte)Channel(2), (byte)Channel(3));
                return true;
        }
    }

    private static byte[] EncodeRgba(int width, int height, byte[] rgba)
    {
        var filtered = new byte[height * (width * 4 + 1)];
        for (var y = 0; y < height; y++) Array.Copy(rgba, y * width * 4, filtered, y * (width * 4 + 1) + 1, width * 4);
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(filtered);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per channel
        header[9] = 6; // RGBA
        using var output = new MemoryStream();
        output.Write(Magic);
        WriteChunk(output, "IHDR"u8, header);
        WriteChunk(output, "IDAT"u8, idat.ToArray());
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        var typed = new byte[4 + data.Length];
        type.CopyTo(typed);
        data.CopyTo(typed.AsSpan(4));
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        output.Write(number);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
