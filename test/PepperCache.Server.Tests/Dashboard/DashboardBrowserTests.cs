using System.Globalization;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless browser (Debian's chromium through its chromedriver): it loads without a console
/// error, shows the three members of a three-node cluster with their slots and figures, and shows a fourth when it
/// joins. Screenshots of both go to the test's output folder (dashboard-3-nodes.png, dashboard-4-nodes.png).
/// </summary>
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ShowsTheMembersAndFollowsAJoin()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        await WriteKeysAsync(cluster.Nodes[0]);
        using var browser = StartBrowser();
        browser.Navigate().GoToUrl($"http://{cluster.Nodes[0].AdminEndPoint}/");

        await UntilAsync(browser, () => Rows(browser) is { Count: 3 } rows && rows.All(r => r[1] == "alive") &&
            Legend(browser) == 3 && RowsWithFigures(browser) == 3, "three alive members with their figures");
        Assert.Contains("3 members, 3 serving", browser.FindElement(By.Id("summary")).Text, StringComparison.Ordinal);
        var ids = Rows(browser).Select(r => r[0]).ToHashSet();
        Assert.Equal(cluster.Nodes.Select(n => TestCluster.State(n).MyId).ToHashSet(), ids);
        Save(browser, "dashboard-3-nodes.png");

        await cluster.JoinAsync();
        await cluster.WhenSettledAsync();
        await UntilAsync(browser, () => Rows(browser).Count == 4 && Legend(browser) == 4 && RowsWithFigures(browser) == 4,
            "the joiner's row and its share of the slots");
        Assert.Contains("4 members, 4 serving", browser.FindElement(By.Id("summary")).Text, StringComparison.Ordinal);
        Save(browser, "dashboard-4-nodes.png");

        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.True(errors.Count == 0, "console: " + string.Join(" | ", errors.Select(e => e.Message)));
        Assert.True(browser.FindElement(By.Id("error")).GetAttribute("hidden") is not null, "the page reports no API failure");
    }

    private static async Task WriteKeysAsync(PepperCacheApplication node)
    {
        await using var redis = await node.ConnectAsync();
        var db = redis.GetDatabase();
        for (var i = 0; i < 300; i++)
        {
            await db.StringSetAsync($"dashboard:{i}", i.ToString(CultureInfo.InvariantCulture));
            await db.StringGetAsync($"dashboard:{i % 400}");
        }
    }

    private static ChromeDriver StartBrowser()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,760");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>The member table's rows, read in one script call: the page redraws the table every second, so elements found one by one go stale.</summary>
    private static List<string[]> Rows(ChromeDriver browser)
    {
        var rows = (IEnumerable<object>)browser.ExecuteScript(
            "return Array.from(document.querySelectorAll('#members tr')).map(r => " +
            "[r.dataset.memberId, r.dataset.state].concat(Array.from(r.cells).map(c => c.textContent)));")!;
        return [.. rows.Select(row => ((IEnumerable<object>)row).Select(cell => cell?.ToString() ?? "").ToArray())];
    }

    private static long Legend(ChromeDriver browser) => (long)browser.ExecuteScript("return document.querySelectorAll('#legend > span').length;")!;

    /// <summary>Rows whose own figures arrived: memory comes only from the member's /dashboard/stats, ops/s from two of them.</summary>
    private static int RowsWithFigures(ChromeDriver browser) =>
        Rows(browser).Count(cells => cells.Length == 13 && cells[8].EndsWith('B') && cells[11] != "–");

    private static async Task UntilAsync(ChromeDriver browser, Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (StaleElementReferenceException)
            {
                // The page redrew its table while it was being read: look again.
            }

            if (DateTime.UtcNow > deadline)
            {
                Save(browser, "dashboard-failed.png");
                Assert.Fail($"the dashboard never showed {what}: {browser.FindElement(By.TagName("main")).Text}");
            }

            await Task.Delay(200);
        }
    }

    private static void Save(ChromeDriver browser, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(path);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }
}
