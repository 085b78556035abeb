using System.Text;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Fuzz;

/// <summary>
/// Keys of every type the command table can create, found by trying it: each write command that takes a key first
/// is sent with a few argument shapes (<c>1 a 2 b</c>, <c>a 1 b 2</c>...) until the key exists, then the store says
/// its type; three keys of each type are kept. A type added by a new command family gets seed keys with no change here.
/// </summary>
internal sealed record FuzzSeeds(IReadOnlyList<FuzzInvocation> Commands, IReadOnlyList<string> Keys)
{
    private const int KeysPerType = 3;

    private static readonly string[][] Shapes =
        [[], ["1"], ["a"], ["1", "a"], ["a", "1"], ["1", "a", "2", "b"], ["a", "1", "b", "2"], ["1", "1"], ["0", "1", "2"]];

    private static readonly Lazy<FuzzSeeds> Found = new(Find);

    public static FuzzSeeds Discover() => Found.Value;

    private static FuzzSeeds Find()
    {
        var model = new CommandFuzzModel(FuzzNode.Table, []);
        var node = new FuzzNode();
        var commands = new List<FuzzInvocation>();
        var keys = new List<string>();
        var perType = new Dictionary<string, int>();
        var candidates = model.Commands.Where(c =>
            c.Words.Length == 1 && c.Definition.IsWrite && c.Definition.FirstKey == 1 && !c.IsBlocking && c.Definition.Subcommands.Count == 0);
        foreach (var command in candidates)
        {
            var key = CommandFuzzModel.KeyPrefix + command.FullName;
            foreach (var shape in Shapes)
            {
                if (!command.Definition.AcceptsArgumentCount(shape.Length + 2))
                {
                    continue;
                }

                var invocation = new FuzzInvocation(command, [Encoding.ASCII.GetBytes(command.FullName), Encoding.ASCII.GetBytes(key), .. shape.Select(Encoding.ASCII.GetBytes)], Inline: false);
                node.RunAsync([invocation], [], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
                if (node.Server.Store.TypeOf(Encoding.ASCII.GetBytes(key)) is { } type)
                {
                    var name = type.ToString();
                    perType[name] = perType.GetValueOrDefault(name) + 1;
                    if (perType[name] <= KeysPerType)
                    {
                        commands.Add(invocation);
                        keys.Add(key);
                    }

                    break;
                }
            }
        }

        return new FuzzSeeds(commands, keys);
    }
}
