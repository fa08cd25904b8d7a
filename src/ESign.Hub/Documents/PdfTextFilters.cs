namespace ESign.Hub.Documents;

/// <summary>
/// The two PDF stream filters that carry binary data as text (ISO 32000-1, 7.4.2 and 7.4.3). Their output is never
/// larger than their input, so they are decoded whole; the structure check needs them to count the Flate stage behind them.
/// </summary>
internal static class PdfTextFilters
{
    public static byte[] AsciiHex(byte[] data)
    {
        var output = new List<byte>(data.Length / 2);
        int? high = null;
        foreach (var b in data)
        {
            if (b == '>') break;
            var value = HexValue(b);
            if (value < 0) continue; // white space and anything else is skipped
            if (high is null)
            {
                high = value;
            }
            else
            {
                output.Add((byte)(high.Value << 4 | value));
                high = null;
            }
        }
        if (high is not null) output.Add((byte)(high.Value << 4)); // an odd last digit is followed by an implied 0
        return [.. output];
    }

    public static byte[] Ascii85(byte[] data)
    {
        var output = new List<byte>(data.Length * 4 / 5);
        Span<int> group = stackalloc int[5];
        var count = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '~') break; // "~>" ends the data
            if (b == 'z' && count == 0)
            {
                output.AddRange([0, 0, 0, 0]);
                continue;
            }
            if (b is < (byte)'!' or > (byte)'u') continue; // white space
            group[count++] = b - '!';
            if (count < 5) continue;
            AppendGroup(output, group, 4);
            count = 0;
        }
        if (count > 1)
        {
            for (var i = count; i < 5; i++) group[i] = 84; // pad with 'u'
            AppendGroup(output, group, count - 1);
        }
        return [.. output];
    }

    private static void AppendGroup(List<byte> output, ReadOnlySpan<int> group, int bytes)
    {
        long value = 0;
        foreach (var digit in group) value = value * 85 + digit;
        for (var i = 0; i < bytes; i++) output.Add((byte)(value >> (24 - 8 * i)));
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
