namespace PepperCache.Core.Rdb;

/// <summary>Redis 7.0's RDB constants (<c>rdb.h</c>) that DUMP and RESTORE use.</summary>
internal static class RdbFormat
{
    /// <summary>RDB_VERSION of Redis 7.0: the version a DUMP payload carries, and the highest RESTORE reads.</summary>
    public const ushort Version = 10;

    // Object types.
    public const byte TypeString = 0;
    public const byte TypeList = 1;
    public const byte TypeSet = 2;
    public const byte TypeZset = 3;
    public const byte TypeHash = 4;
    public const byte TypeZset2 = 5;
    public const byte TypeHashZipmap = 9;
    public const byte TypeListZiplist = 10;
    public const byte TypeSetIntset = 11;
    public const byte TypeZsetZiplist = 12;
    public const byte TypeHashZiplist = 13;
    public const byte TypeListQuicklist = 14;
    public const byte TypeHashListpack = 16;
    public const byte TypeZsetListpack = 17;
    public const byte TypeListQuicklist2 = 18;

    // Length and string encodings.
    public const byte Length32 = 0x80;
    public const byte Length64 = 0x81;
    public const byte EncodedInt8 = 0xC0;
    public const byte EncodedInt16 = 0xC1;
    public const byte EncodedInt32 = 0xC2;
    public const byte EncodedLzf = 0xC3;

    // Quicklist node containers.
    public const int ContainerPlain = 1;
    public const int ContainerPacked = 2;
}
