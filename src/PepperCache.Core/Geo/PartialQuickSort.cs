namespace PepperCache.Core.Geo;

/// <summary>
/// Redis's pqsort (its partial-range version of the BSD Bentley-McIlroy quicksort): sorts just enough that
/// positions <c>first</c>..<c>last</c> hold what a full sort would put there, skipping partitions outside that range.
/// It is not stable; GEOSEARCH ... COUNT uses it when fewer results are returned than found, so equal distances
/// come out in the order this partitioning leaves them, and matching Redis's bytes means partitioning the same way.
/// </summary>
public static class PartialQuickSort
{
    public static void Sort<T>(Span<T> items, Comparison<T> compare, int first, int last)
    {
        ArgumentNullException.ThrowIfNull(compare);
        SortRange(items, 0, items.Length, compare, first, last);
    }

    private static void SortRange<T>(Span<T> items, int start, int count, Comparison<T> compare, int first, int last)
    {
        while (true)
        {
            if (count < 7)
            {
                InsertionSort(items, start, count, compare);
                return;
            }

            var middle = start + (count / 2);
            if (count > 7)
            {
                var low = start;
                var high = start + count - 1;
                if (count > 40)
                {
                    var d = count / 8;
                    low = MedianOfThree(items, low, low + d, low + (2 * d), compare);
                    middle = MedianOfThree(items, middle - d, middle, middle + d, compare);
                    high = MedianOfThree(items, high - (2 * d), high - d, high, compare);
                }

                middle = MedianOfThree(items, low, middle, high, compare);
            }

            Swap(items, start, middle);

            // Elements equal to the pivot collect at both ends (before a, after d), then move to the middle.
            int a = start + 1, b = start + 1;
            int c = start + count - 1, d2 = start + count - 1;
            var swapped = false;
            while (true)
            {
                int order;
                while (b <= c && (order = compare(items[b], items[start])) <= 0)
                {
                    if (order == 0)
                    {
                        swapped = true;
                        Swap(items, a, b);
                        a++;
                    }

                    b++;
                }

                while (b <= c && (order = compare(items[c], items[start])) >= 0)
                {
                    if (order == 0)
                    {
                        swapped = true;
                        Swap(items, c, d2);
                        d2--;
                    }

                    c--;
                }

                if (b > c)
                {
                    break;
                }

                Swap(items, b, c);
                swapped = true;
                b++;
                c--;
            }

            if (!swapped)
            {
                InsertionSort(items, start, count, compare);
                return;
            }

            var end = start + count;
            var r = Math.Min(a - start, b - a);
            SwapRuns(items, start, b - r, r);
            r = Math.Min(d2 - c, end - d2 - 1);
            SwapRuns(items, b, end - r, r);

            r = b - a;
            if (r > 1 && Overlaps(start, start + r - 1, first, last))
            {
                SortRange(items, start, r, compare, first, last);
            }

            r = d2 - c;
            if (r <= 1)
            {
                return;
            }

            start = end - r;
            count = r;
            if (!Overlaps(start, start + r - 1, first, last))
            {
                return;
            }
        }
    }

    /// <summary>Whether [start, end] meets the wanted range (pqsort skips a partition wholly before or after it).</summary>
    private static bool Overlaps(int start, int end, int first, int last) =>
        !((first < start && last < start) || (first > end && last > end));

    private static void InsertionSort<T>(Span<T> items, int start, int count, Comparison<T> compare)
    {
        for (var m = start + 1; m < start + count; m++)
        {
            for (var l = m; l > start && compare(items[l - 1], items[l]) > 0; l--)
            {
                Swap(items, l, l - 1);
            }
        }
    }

    private static int MedianOfThree<T>(Span<T> items, int a, int b, int c, Comparison<T> compare) =>
        compare(items[a], items[b]) < 0
            ? (compare(items[b], items[c]) < 0 ? b : (compare(items[a], items[c]) < 0 ? c : a))
            : (compare(items[b], items[c]) > 0 ? b : (compare(items[a], items[c]) < 0 ? a : c));

    private static void Swap<T>(Span<T> items, int i, int j) => (items[i], items[j]) = (items[j], items[i]);

    private static void SwapRuns<T>(Span<T> items, int i, int j, int count)
    {
        for (var k = 0; k < count; k++)
        {
            Swap(items, i + k, j + k);
        }
    }
}
