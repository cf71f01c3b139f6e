using System.Globalization;
using System.Net;
using System.Text;

namespace CryoSharp.Reports;

/// <summary>
/// A short, self-contained HTML page of results: headings, text, key–value tables, PNG pictures (embedded as
/// data URIs) and SVG plots (inline), so one file can be mailed or opened anywhere.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder body = new();

    /// <summary>Creates a report with a page title.</summary>
    public HtmlReport(string title)
    {
        Title = title ?? "";
    }

    /// <summary>The page title.</summary>
    public string Title { get; }

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text)
    {
        body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Adds a two-column table of names and values.</summary>
    public HtmlReport Table(IEnumerable<(string Name, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        body.Append("<table>\n");
        foreach (var (name, value) in rows)
        {
            body.Append("<tr><th>").Append(WebUtility.HtmlEncode(name)).Append("</th><td>")
                .Append(WebUtility.HtmlEncode(value)).Append("</td></tr>\n");
        }

        body.Append("</table>\n");
        return this;
    }

    /// <summary>
    /// Adds a table of links (relative paths or URLs), each with what it leads to: how a report of several steps
    /// points at each step's own report.
    /// </summary>
    public HtmlReport Links(IEnumerable<(string Text, string Href, string Description)> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        body.Append("<table>\n");
        foreach (var (text, href, description) in links)
        {
            body.Append("<tr><th><a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\">").Append(WebUtility.HtmlEncode(text))
                .Append("</a></th><td>").Append(WebUtility.HtmlEncode(description)).Append("</td></tr>\n");
        }

        body.Append("</table>\n");
        return this;
    }

    /// <summary>Adds a PNG picture, embedded, with a caption.</summary>
    public HtmlReport Picture(byte[] png, string caption)
    {
        ArgumentNullException.ThrowIfNull(png);
        body.Append("<figure><img alt=\"").Append(WebUtility.HtmlEncode(caption)).Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\"/><figcaption>").Append(WebUtility.HtmlEncode(caption))
            .Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>Adds an SVG plot, inline, with a caption.</summary>
    public HtmlReport Plot(string svg, string caption)
    {
        ArgumentNullException.ThrowIfNull(svg);
        body.Append("<figure>").Append(svg).Append("<figcaption>").Append(WebUtility.HtmlEncode(caption))
            .Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>The whole page.</summary>
    public string Render()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>")
            .Append(WebUtility.HtmlEncode(Title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\n")
            .Append("h1{font-size:1.6em;border-bottom:2px solid #1f77b4;padding-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}\n")
            .Append("table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}\n")
            .Append("th{font-weight:600;color:#444}figure{margin:1em 0}img{image-rendering:pixelated;max-width:100%}\n")
            .Append("figcaption{color:#555;font-size:.9em;margin-top:.3em}footer{margin-top:3em;color:#888;font-size:.8em}\n")
            .Append("</style></head>\n<body>\n<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>\n")
            .Append(body)
            .Append("<footer>Made by CryoSharp on ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
            .Append(".</footer>\n</body></html>\n");
        return page.ToString();
    }

    /// <summary>Writes the page atomically.</summary>
    public void Save(string path) => IO.AtomicFile.WriteAllText(path, Render());
}
