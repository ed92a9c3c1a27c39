using Divvy.Tests.Support;
using Microsoft.Playwright;
using static Divvy.Tests.Support.ProcessRun;
using static Microsoft.Playwright.Assertions;

namespace Divvy.Tests.Specs;

/// <summary>The dashboard page, driven in headless Chromium while a real run goes on.</summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", "Browser")]
public sealed class DashboardBrowserSpecs
{
    private const string Token = "browser-token-5678";
    private static readonly LocatorAssertionsToHaveCountOptions s_slow = new() { Timeout = 30_000 };

    [BrowserFact]
    public async Task I_watch_a_run_live_resize_it_with_the_token_a_wrong_token_is_refused_and_I_stop_it()
    {
        int port = FreePort.Next();
        await using ProcessRun run = DivvyCommand(["-n", "2", "--dashboard", port.ToString(), "--control-token", Token, .. Job("SleepJob", "400", "150")]);
        await run.WaitForStderrLineAsync("divvy: dashboard at ");
        await using Browser browser = await Browser.StartAsync();
        IPage page = browser.Page;
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await page.GotoAsync($"http://127.0.0.1:{port}/");
        await Expect(page.Locator("#job")).ToHaveTextAsync("SleepJob");
        await Expect(page.Locator("tr[data-worker]")).ToHaveCountAsync(2, s_slow);

        // The counters move while the run progresses, pushed by the server: the page never reloads.
        await Expect(page.Locator("#c-succeeded")).Not.ToHaveTextAsync("0", new() { Timeout = 30_000 });
        string before = await page.Locator("#c-succeeded").InnerTextAsync();
        await Expect(page.Locator("#c-succeeded")).Not.ToHaveTextAsync(before, new() { Timeout = 30_000 });
        await Expect(page.Locator("#status")).ToHaveTextAsync("running");

        // A wrong token is refused, and the pool keeps its size.
        await page.Locator("#token").FillAsync("not-the-token");
        await page.Locator("#token-form button").ClickAsync();
        await page.Locator("#resize-to").FillAsync("3");
        await page.Locator("#resize").ClickAsync();
        await Expect(page.Locator("#control-message")).ToContainTextAsync("401");
        await Expect(page.Locator("#target")).ToHaveTextAsync("2");

        // With the token a third worker's row appears; shrinking to one, the others' rows go.
        await page.Locator("#token").FillAsync(Token);
        await page.Locator("#token-form button").ClickAsync();
        await page.Locator("#resize").ClickAsync();
        await Expect(page.Locator("#control-message")).ToContainTextAsync("asked for 3 workers");
        await Expect(page.Locator("tr[data-worker='3']")).ToHaveCountAsync(1, s_slow);
        await Expect(page.Locator("tr[data-worker]")).ToHaveCountAsync(3, s_slow);
        await page.Locator("#resize-to").FillAsync("1");
        await page.Locator("#resize").ClickAsync();
        await Expect(page.Locator("tr[data-worker]")).ToHaveCountAsync(1, s_slow);
        await Expect(page.Locator("#target")).ToHaveTextAsync("1");

        // Stopping gracefully ends the run as Ctrl-C does; the page shows it finished.
        await page.Locator("#stop-graceful").ClickAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("finished", new() { Timeout = 30_000 });
        (await run.WaitAsync()).Should().Be(130, run.AllStderr);
        run.AllStderr.Should().Contain("the dashboard asked the run to stop (graceful)").And.Contain("run interrupted");
    }


    /// <summary>Playwright driving Debian's Chromium, headless; disposing closes both.</summary>
    private sealed class Browser : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private Browser(IPlaywright playwright, IBrowser browser, IPage page)
        {
            _playwright = playwright;
            _browser = browser;
            Page = page;
        }

        public IPage Page { get; }

        public static async Task<Browser> StartAsync()
        {
            IPlaywright playwright = await Playwright.CreateAsync();
            try
            {
                IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium.Path, Headless = true, Args = ["--no-sandbox"] });
                IPage page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
                page.SetDefaultTimeout(15_000);
                return new Browser(playwright, browser, page);
            }
            catch
            {
                playwright.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.CloseAsync();
            _playwright.Dispose();
        }
    }
}
