namespace Divvy.Jobs;

/// <summary>Type names as C# shows them (<c>ValueTask&lt;Int32&gt;</c>, <c>String[]</c>, <c>void</c>), for messages about a job's code.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (type == typeof(void))
        {
            return "void";
        }

        if (type.IsByRef)
        {
            return "ref " + Of(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Of(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        Type[] arguments = type.GetGenericArguments();
        string[] shown = new string[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            shown[i] = Of(arguments[i]);
        }

        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", shown) + ">";
    }
}
