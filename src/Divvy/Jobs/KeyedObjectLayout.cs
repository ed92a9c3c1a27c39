using System.Reflection;
using MessagePack;

namespace Divvy.Jobs;

/// <summary>
/// How MessagePack's DynamicObjectResolver lays out a <c>[MessagePackObject]</c> class with integer
/// keys, worked out with reflection alone: which public members it writes (in key order, nil for a
/// gap), which constructor it calls and which members it sets afterwards. <see cref="TryCreate"/>
/// answers only for the shapes whose layout is plain; for anything else (string keys, structs,
/// unions, custom formatters, callbacks, a type MessagePack would refuse) it answers <c>null</c> and
/// the standard resolver decides, with its own error messages.
/// </summary>
internal sealed class KeyedObjectLayout
{
    private KeyedObjectLayout(Type type, ConstructorInfo constructor, KeyedMemberInfo[] members)
    {
        Type = type;
        Constructor = constructor;
        Members = members;
    }

    public Type Type { get; }

    /// <summary>The constructor called on read; its parameter <c>i</c> takes the value of key <c>i</c>.</summary>
    public ConstructorInfo Constructor { get; }

    /// <summary>The members that take part, each with its key and what it can do, in key order.</summary>
    public KeyedMemberInfo[] Members { get; }

    public static KeyedObjectLayout? TryCreate(Type type)
    {
        if (!type.IsClass || type.IsAbstract || type.IsGenericTypeDefinition || !(type.IsPublic || type.IsNestedPublic)
            || type.GetCustomAttribute<MessagePackObjectAttribute>() is not { KeyAsPropertyName: false }
            || type.IsDefined(typeof(MessagePackFormatterAttribute), inherit: true)
            || type.IsDefined(typeof(UnionAttribute), inherit: true)
            || typeof(IMessagePackSerializationCallbackReceiver).IsAssignableFrom(type))
        {
            return null;
        }

        // What Type.GetRuntimeProperties/GetRuntimeFields return, as MessagePack walks them (no LINQ on a worker's start path).
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var byKey = new SortedDictionary<int, KeyedMemberInfo>();
        if (!Collect(type.GetProperties(All), byKey) || !Collect(type.GetFields(All), byKey)
            || FindConstructor(type, byKey) is not { } constructor)
        {
            return null;
        }

        int parameters = constructor.GetParameters().Length;
        var members = new List<KeyedMemberInfo>(byKey.Count);
        foreach (KeyedMemberInfo member in byKey.Values)
        {
            // Every member takes part: written when readable (a get-only one too), set when writable.
            members.Add(member with { InConstructor = member.Key < parameters });
        }

        return new KeyedObjectLayout(type, constructor, members.ToArray());
    }

    /// <summary>Adds each member that takes part; <c>false</c> when one puts the type beyond this layout or repeats a key.</summary>
    private static bool Collect(MemberInfo[] members, SortedDictionary<int, KeyedMemberInfo> byKey)
    {
        foreach (MemberInfo member in members)
        {
            if (Describe(member) is { } described && (described.Key < 0 || !byKey.TryAdd(described.Key, described)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A member as MessagePack sees it: <c>null</c> when it does not take part (ignored, static, a
    /// backing field, an indexer, nothing public about it); a negative key when the type is beyond
    /// this layout (no integer key, a custom formatter on the member, an override whose attributes
    /// MessagePack would also look for on the base declaration).
    /// </summary>
    /// <remarks>
    /// Reads each member's attribute data once, by type name, rather than asking for each attribute
    /// type: that instantiates no attribute and loads no assembly for one a member does not carry
    /// (IgnoreDataMember lives in an assembly of its own), the better part of the cost here.
    /// </remarks>
    private static KeyedMemberInfo? Describe(MemberInfo member)
    {
        bool canRead;
        bool canWrite;
        bool inherits;
        Type memberType;
        switch (member)
        {
            case PropertyInfo property when property.GetIndexParameters().Length == 0:
                MethodInfo? get = property.GetGetMethod(nonPublic: true);
                MethodInfo? set = property.GetSetMethod(nonPublic: true);
                canRead = get is { IsPublic: true, IsStatic: false };
                canWrite = set is { IsPublic: true, IsStatic: false };
                inherits = (get ?? set) is { } accessor && accessor.GetBaseDefinition() != accessor;
                memberType = property.PropertyType;
                break;
            case FieldInfo { IsStatic: false } field:
                canRead = field.IsPublic;
                canWrite = field.IsPublic && !field.IsInitOnly;
                inherits = false;
                memberType = field.FieldType;
                break;
            default:
                return null;
        }

        int key = -1;
        bool custom = false;
        foreach (CustomAttributeData attribute in member.GetCustomAttributesData())
        {
            switch (attribute.AttributeType.FullName)
            {
                case "MessagePack.IgnoreMemberAttribute" or "System.Runtime.Serialization.IgnoreDataMemberAttribute":
                    return null;
                case "System.Runtime.CompilerServices.CompilerGeneratedAttribute" when member is FieldInfo:
                    return null; // a property's backing field
                case "MessagePack.KeyAttribute":
                    key = attribute.ConstructorArguments is [{ Value: int intKey }] && intKey >= 0 ? intKey : -1;
                    break;
                case "MessagePack.MessagePackFormatterAttribute":
                    custom = true;
                    break;
            }
        }

        if (!canRead && !canWrite)
        {
            return null;
        }

        bool plain = !custom && !inherits && !memberType.IsByRef && !memberType.IsPointer;
        return new KeyedMemberInfo(member, memberType, plain ? key : -1, canRead, canWrite, InConstructor: false);
    }

    /// <summary>
    /// MessagePack's choice: the [SerializationConstructor] one, else the public constructor with the
    /// most parameters whose parameter <c>i</c> is fed by the readable member with key <c>i</c>.
    /// </summary>
    private static ConstructorInfo? FindConstructor(Type type, SortedDictionary<int, KeyedMemberInfo> byKey)
    {
        ConstructorInfo? marked = null;
        ConstructorInfo? best = null;
        foreach (ConstructorInfo constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            if (constructor.IsDefined(typeof(SerializationConstructorAttribute), inherit: false))
            {
                if (marked is not null)
                {
                    return null; // two marked: MessagePack says so
                }

                marked = constructor;
            }
            else if (constructor.IsPublic && Fits(constructor, byKey)
                && (best is null || constructor.GetParameters().Length > best.GetParameters().Length))
            {
                // Among equals, the first declared, as MessagePack's stable ordering picks it.
                best = constructor;
            }
        }

        return marked is null ? best : marked.IsPublic && Fits(marked, byKey) ? marked : null;
    }

    private static bool Fits(ConstructorInfo constructor, SortedDictionary<int, KeyedMemberInfo> byKey)
    {
        ParameterInfo[] parameters = constructor.GetParameters();
        for (int i = 0; i < parameters.Length; i++)
        {
            Type parameter = parameters[i].ParameterType;
            if (parameter.IsByRef || !byKey.TryGetValue(i, out KeyedMemberInfo? member) || !member.CanRead || !parameter.IsAssignableFrom(member.Type))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One member of a <see cref="KeyedObjectLayout"/>.</summary>
internal sealed record KeyedMemberInfo(MemberInfo Member, Type Type, int Key, bool CanRead, bool CanWrite, bool InConstructor);
