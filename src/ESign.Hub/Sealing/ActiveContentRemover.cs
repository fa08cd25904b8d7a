using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;

namespace ESign.Hub.Sealing;

/// <summary>
/// Removes what a PDF viewer would run or open rather than show, so the platform's seal never vouches for it: actions
/// run on opening and on events (/OpenAction, /AA), JavaScript, launch and other non-navigation actions, links other
/// than http(s) and mailto (a <c>file:</c> URI opens local files), embedded files and attachment or media annotations.
/// Navigation inside the document (GoTo) and web links stay. Returns what was removed, for the audit certificate.
/// </summary>
internal static class ActiveContentRemover
{
    private static readonly HashSet<string> MediaAnnotations = ["/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"];

    public static IReadOnlyList<string> Remove(PdfDocument document)
    {
        var removed = new SortedSet<string>(StringComparer.Ordinal);
        var catalog = document.Internals.Catalog;
        // A destination array only turns to a page; anything else is an action run when the file opens.
        if (catalog.Elements["/OpenAction"] is { } open && Resolve(open) is not PdfArray)
        {
            catalog.Elements.Remove("/OpenAction");
            removed.Add("an action run when the document opens");
        }
        if (Resolve(catalog.Elements["/Names"]) is PdfDictionary names)
        {
            if (names.Elements.Remove("/JavaScript")) removed.Add("document JavaScript");
            if (names.Elements.Remove("/EmbeddedFiles")) removed.Add("embedded files");
        }

        if (Resolve(catalog.Elements["/AcroForm"]) is PdfDictionary form && form.Elements.Remove("/XFA")) removed.Add("XFA form scripts");

        foreach (var dictionary in AllDictionaries(document))
        {
            if (dictionary.Elements.Remove("/AA")) removed.Add("actions run on events (additional actions)");
            if (dictionary.Elements["/A"] is { } action && !IsSafeAction(Resolve(action) as PdfDictionary))
            {
                dictionary.Elements.Remove("/A");
                removed.Add(DescribeAction(Resolve(action) as PdfDictionary));
            }
            if (dictionary.Elements.GetName("/Type") == "/Action" || dictionary.Elements.ContainsKey("/S") && dictionary.Elements.ContainsKey("/Next"))
            {
                // Actions chain through /Next; a safe first action must not lead to an unsafe one.
                if (dictionary.Elements.Remove("/Next")) removed.Add("chained actions");
            }
            if (!IsSafeAction(dictionary) && LooksLikeAction(dictionary))
            {
                removed.Add(DescribeAction(dictionary));
                dictionary.Elements.Clear(); // unreferenced now, but it must not stay in the file as it was
            }
            if (dictionary.Elements.GetName("/Type") == "/EmbeddedFile" && dictionary.Stream is not null)
            {
                dictionary.Stream.Value = [];
                dictionary.Elements.Remove("/Filter");
                dictionary.Elements.SetInteger("/Length", 0);
                removed.Add("embedded files");
            }
        }
        foreach (var page in document.Pages) RemoveMediaAnnotations(page, removed);
        return [.. removed];
    }

    /// <summary>
    /// Every dictionary in the file: the indirect objects and the dictionaries written directly inside them (an
    /// annotation in an /Annots array, an action in /A or /Next), found without recursion. Listed before any is changed.
    /// </summary>
    private static List<PdfDictionary> AllDictionaries(PdfDocument document)
    {
        var found = new List<PdfDictionary>();
        var seen = new HashSet<PdfItem>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<PdfItem>(document.Internals.GetAllObjects());
        while (pending.TryPop(out var item))
        {
            if (!seen.Add(item)) continue;
            IEnumerable<PdfItem?> children;
            if (item is PdfDictionary dictionary)
            {
                found.Add(dictionary);
                children = dictionary.Elements.Values;
            }
            else if (item is PdfArray array)
            {
                children = array.Elements;
            }
            else
            {
                continue;
            }
            // Indirect children are in GetAllObjects already; only what is written inline is followed here.
            foreach (var child in children)
                if (child is PdfDictionary or PdfArray) pending.Push(child);
        }
        return found;
    }

    private static void RemoveMediaAnnotations(PdfPage page, SortedSet<string> removed)
    {
        if (page.Elements.GetArray("/Annots") is not { } annotations) return;
        for (var i = annotations.Elements.Count - 1; i >= 0; i--)
        {
            if (Resolve(annotations.Elements[i]) is PdfDictionary annotation && MediaAnnotations.Contains(annotation.Elements.GetName("/Subtype")))
            {
                annotations.Elements.RemoveAt(i);
                removed.Add("file attachment and media annotations");
            }
        }
    }

    private static bool LooksLikeAction(PdfDictionary dictionary) =>
        dictionary.Elements.GetName("/Type") == "/Action" || dictionary.Elements.ContainsKey("/JS")
        || (dictionary.Elements.GetName("/S") is { Length: > 0 } && (dictionary.Elements.ContainsKey("/URI") || dictionary.Elements.ContainsKey("/Win")
            || dictionary.Elements.ContainsKey("/F") && dictionary.Elements.GetName("/S") is "/Launch" or "/GoToR" or "/GoToE" or "/ImportData" or "/SubmitForm"));

    private static bool IsSafeAction(PdfDictionary? action)
    {
        if (action is null) return true; // nothing to run
        if (action.Elements.ContainsKey("/JS")) return false;
        return action.Elements.GetName("/S") switch
        {
            "/GoTo" => true,
            "/URI" => UriString(action) is { } uri && (uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)),
            "" => !action.Elements.ContainsKey("/Win") && !action.Elements.ContainsKey("/URI"),
            _ => false,
        };
    }

    private static string? UriString(PdfDictionary action) => Resolve(action.Elements["/URI"]) switch
    {
        PdfString text => text.Value.Trim(),
        _ => null,
    };

    private static string DescribeAction(PdfDictionary? action) => action?.Elements.GetName("/S") switch
    {
        "/JavaScript" => "JavaScript actions",
        "/Launch" => "launch actions (programs and files)",
        "/URI" => "links to other than http(s) and mailto addresses",
        _ when action?.Elements.ContainsKey("/JS") == true => "JavaScript actions",
        { Length: > 1 } s => $"{s[1..]} actions",
        _ => "actions",
    };

    private static PdfItem? Resolve(PdfItem? item) => item is PdfReference reference ? reference.Value : item;
}
