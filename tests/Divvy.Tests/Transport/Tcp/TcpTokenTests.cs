using Divvy.Transport.Tcp;

namespace Divvy.Tests.Transport.Tcp;

public sealed class TcpTokenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("divvy-token-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_absent_token_file_is_created_readable_by_its_owner_only_with_a_random_256_bit_token()
    {
        string path = Path.Combine(_directory, "run.token");

        TcpToken created = TcpToken.LoadOrCreate(path, out bool wasCreated);

        wasCreated.Should().BeTrue();
        File.ReadAllText(path).Trim().Should().MatchRegex("^[0-9a-f]{64}$");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFiles(_directory).Should().Equal([path], "the temporary file is renamed into place");
        byte[] data = [1, 2, 3];
        TcpToken.ReadFile(path).Prove(data).Should().Equal(created.Prove(data), "reading it back gives the same token");
    }

    [Fact]
    public void A_present_token_file_is_read_not_replaced()
    {
        string path = Path.Combine(_directory, "run.token");
        TcpToken.LoadOrCreate(path, out _);
        string before = File.ReadAllText(path);

        TcpToken.LoadOrCreate(path, out bool wasCreated);

        wasCreated.Should().BeFalse();
        File.ReadAllText(path).Should().Be(before);
    }

    [Fact]
    public void A_token_file_others_may_read_is_refused_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = Path.Combine(_directory, "open.token");
        File.WriteAllText(path, TcpToken.NewText());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Action read = () => TcpToken.ReadFile(path);

        read.Should().Throw<InvalidDataException>().WithMessage($"the token file {path} may be read or written by others (mode 644); run chmod 600 {path}");
    }

    [Fact]
    public void A_short_token_is_refused()
    {
        Action parse = () => TcpToken.FromText("  secret \n", "DIVVY_TOKEN");

        parse.Should().Throw<InvalidDataException>().WithMessage("the token in DIVVY_TOKEN is 6 characters long; at least 16 are needed*");
    }

    [Fact]
    public void Neither_a_token_nor_its_source_prints_the_secret()
    {
        string secret = TcpToken.NewText();

        TcpToken.FromText(secret, "test").ToString().Should().NotContain(secret);
        TcpTokenSource.FromValue(secret).ToString().Should().Be("DIVVY_TOKEN");
    }
}
