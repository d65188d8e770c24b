using Microsoft.Playwright;

namespace Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_wrong_password_is_refused_on_the_page_and_the_right_one_signs_in()
    {
        var (name, password) = await fixture.User("signin", "annotator");
        var page = await fixture.NewPage();

        await page.GotoAsync("/login.html");
        await page.FillAsync("#user-name", name);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("user name or password");
        Assert.Contains("/login.html", page.Url);
        await BrowserFixture.Screenshot(page, "login-refused");

        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/index.html");
        await Assertions.Expect(page.Locator(".who")).ToContainTextAsync(name);
        var cookies = await page.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "annotation.session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_page_opened_without_signing_in_sends_to_sign_in_and_back()
    {
        var (name, password) = await fixture.User("return", "manager");
        var page = await fixture.NewPage();

        await page.GotoAsync("/campaigns.html");
        // Polls the address: the redirect may come before or after the first page's load event.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/login\.html\?return=%2Fcampaigns\.html$"),
            new() { Timeout = 30_000 });
        await page.FillAsync("#user-name", name);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/campaigns.html");
        await Assertions.Expect(page.Locator("#campaigns-table")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
