using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PepperCache.Core.Cluster;
using PepperCache.Server.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A stand-in for slot migration in membership tests: hands every slot this node serves but the slot map gives to
/// another member straight to that member (AssignSlot), moving no keys. It lets tests run clusters whose slots are
/// spread as the slot map says.
/// </summary>
internal sealed class AssigningRebalancer(IClusterView view) : IRebalancer, IHostedService
{
    private int _pending;

    public RebalanceProgress Progress => new(false, 0, 0, 0, 0);

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<AssigningRebalancer>();
        services.AddSingleton<IRebalancer>(sp => sp.GetRequiredService<AssigningRebalancer>());
        services.AddHostedService(sp => sp.GetRequiredService<AssigningRebalancer>());
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        view.Changed += OnChanged;
        OnChanged();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        view.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    public async Task WhenSettledAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 500 && !IsSettled(); i++)
        {
            OnChanged();
            await Task.Delay(20, cancellationToken);
        }
    }

    private bool IsSettled()
    {
        var me = view.Myself.Id;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            if (view.OwnerOf(slot).Id == me && view.DesiredOwnerOf(slot).Id != me)
            {
                return false;
            }
        }

        return true;
    }

    private void OnChanged()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => Run(), null);
        }
    }

    private void Run()
    {
        Volatile.Write(ref _pending, 0);
        var me = view.Myself.Id;
        for (var slot = 0; slot < HashSlot.SlotCount; slot++)
        {
            var desired = view.DesiredOwnerOf(slot);
            if (view.OwnerOf(slot).Id == me && desired.Id != me)
            {
                view.AssignSlot(slot, desired.Id);
            }
        }
    }
}
