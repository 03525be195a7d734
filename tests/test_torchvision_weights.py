"""torchvision state dicts in the Keras ResNet34 / AlexNet: same outputs as PyTorch, refused when they do not fit.

The PyTorch references below follow torchvision's definitions with its
parameter names (torchvision itself is several GB and stays out of CI).
"""

import sys
import types

import numpy as np
import pytest

from practicas.errors import InvalidInputError, UnsafePickleError, WeightsNotFoundError
from practicas.transfer import models
from practicas.transfer.torchvision_weights import load_state_dict


def torch_resnet34(torch):
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
                )

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class ResNet34(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            inplanes = 64
            for index, (planes, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3)), start=1):
                stride = 1 if index == 1 else 2
                stage = []
                for block in range(blocks):
                    stage.append(BasicBlock(inplanes, planes, stride if block == 0 else 1))
                    inplanes = planes
                setattr(self, f"layer{index}", nn.Sequential(*stage))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):  # up to the pooled features, where our backbone ends
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return torch.flatten(self.avgpool(x), 1)

    return ResNet34()


def torch_alexnet(torch):
    nn = torch.nn

    class AlexNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, 4, 2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
                nn.Conv2d(64, 192, 5, padding=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
                nn.Conv2d(192, 384, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(256, 256, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
            )
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(0.5),
                nn.Linear(256 * 36, 4096),
                nn.ReLU(inplace=True),
                nn.Dropout(0.5),
                nn.Linear(4096, 4096),
                nn.ReLU(inplace=True),
                nn.Linear(4096, 1000),
            )

        def forward(self, x):  # pooled features, flattened HWC like Keras (the heads are r004's own)
            return torch.flatten(self.avgpool(self.features(x)).permute(0, 2, 3, 1), 1)

    return AlexNet()


REFERENCES = {"resnet34": torch_resnet34, "alexnet": torch_alexnet}
KERAS_BUILDERS = {"resnet34": models.resnet34, "alexnet": models.alexnet}


def random_reference(torch, arch: str, seed: int = 0):
    """A reference network with random weights *and* random BatchNorm statistics, in inference mode."""
    torch.manual_seed(seed)
    net = REFERENCES[arch](torch)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 2.0)
    return net.eval()


@pytest.mark.parametrize("arch", ["resnet34", "alexnet"])
def test_converted_state_dict_gives_pytorchs_outputs(torch, arch):
    net = random_reference(torch, arch)
    images = np.random.default_rng(0).normal(size=(2, 224, 224, 3)).astype("float32")
    with torch.no_grad():
        expected = net(torch.from_numpy(images.transpose(0, 3, 1, 2))).numpy()
    model = load_state_dict(KERAS_BUILDERS[arch](weights=None), net.state_dict())
    actual = np.asarray(model(images, training=False))
    assert actual.shape == expected.shape
    scale = np.abs(expected).max()
    assert scale > 0.1  # the comparison is not between two nearly-zero outputs
    assert np.abs(actual - expected).max() <= 1e-4 * scale


def test_state_dict_loads_into_a_model_that_contains_the_backbone(torch):
    net = random_reference(torch, "alexnet")
    model = models.r004_classifier("alexnet", input_shape=(64, 64, 3), weights=None)
    load_state_dict(model, net.state_dict())
    kernel = model.get_layer("alexnet").get_layer("features_3").kernel.numpy()
    np.testing.assert_array_equal(kernel, net.features[3].weight.detach().numpy().transpose(2, 3, 1, 0))


def test_pth_file_round_trips_through_weights_path(torch, tmp_path):
    net = random_reference(torch, "resnet34", seed=1)
    path = tmp_path / "resnet34.pth"
    torch.save(net.state_dict(), path)
    model = models.resnet34(input_shape=(64, 64, 3), weights=str(path))
    np.testing.assert_array_equal(
        model.get_layer("layer3_0_bn2").moving_variance.numpy(), net.layer3[0].bn2.running_var.numpy()
    )
    np.testing.assert_array_equal(
        model.get_layer("conv1").kernel.numpy(), net.conv1.weight.detach().numpy().transpose(2, 3, 1, 0)
    )


def test_pth_that_is_no_plain_state_dict_is_refused(torch, tmp_path):
    path = tmp_path / "with_a_function.pth"
    torch.save({"features.0.bias": torch.zeros(64), "hook": print}, path)  # a pickled callable: not plain data
    with pytest.raises(UnsafePickleError, match="weights_only=True"):
        models.alexnet(weights=path)


def test_missing_key_and_wrong_shape_are_refused_by_name(torch):
    state = random_reference(torch, "resnet34").state_dict()
    model = models.resnet34(input_shape=(64, 64, 3), weights=None)
    before = model.get_layer("conv1").kernel.numpy().copy()
    missing = {k: v for k, v in state.items() if k != "layer2.0.downsample.1.running_mean"}
    with pytest.raises(InvalidInputError, match=r"missing layer2\.0\.downsample\.1\.running_mean"):
        load_state_dict(model, missing)
    wrong = {**state, "layer1.1.conv2.weight": torch.zeros(64, 64, 5, 5)}
    with pytest.raises(
        InvalidInputError, match=r"wrong shape: layer1\.1\.conv2\.weight \(64, 64, 5, 5\) \(expected \(64, 64, 3, 3\)\)"
    ):
        load_state_dict(model, wrong)
    extra = {**state, "layer5.0.conv1.weight": torch.zeros(1)}
    with pytest.raises(InvalidInputError, match=r"unexpected layer5\.0\.conv1\.weight"):
        load_state_dict(model, extra)
    np.testing.assert_array_equal(model.get_layer("conv1").kernel.numpy(), before)  # nothing copied on refusal


def test_another_architectures_state_dict_is_refused():
    alex = {f"features.{i}.weight": np.zeros((1,)) for i in (0, 3)}
    with pytest.raises(
        InvalidInputError, match=r"does not fit torchvision's resnet34.*missing .*conv1\.weight.*unexpected features"
    ):
        load_state_dict(models.resnet34(input_shape=(64, 64, 3), weights=None), alex)


def fake_torchvision(monkeypatch, get_state_dict):
    """torchvision as far as the download path uses it: ``models.<Arch>_Weights.IMAGENET1K_V1.get_state_dict``."""
    module = types.ModuleType("torchvision")
    module.models = types.SimpleNamespace(
        **{
            name: types.SimpleNamespace(IMAGENET1K_V1=types.SimpleNamespace(get_state_dict=get_state_dict))
            for name in ("ResNet34_Weights", "AlexNet_Weights")
        }
    )
    monkeypatch.setitem(sys.modules, "torchvision", module)
    monkeypatch.setattr("practicas.transfer.torchvision_weights._torchvision_installed", lambda: True)
    monkeypatch.setattr("practicas.datasets.downloads_allowed", lambda: True)


def test_imagenet_converts_torchvisions_weights_once_and_caches_them(torch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    net = random_reference(torch, "alexnet", seed=2)
    calls = []
    fake_torchvision(monkeypatch, lambda progress: calls.append(progress) or net.state_dict())
    first = models.alexnet(input_shape=(64, 64, 3))
    assert "alexnet_torchvision.weights.h5" in capsys.readouterr().err
    cached = tmp_path / "models" / "alexnet_torchvision.weights.h5"
    assert cached.exists() and calls == [True]
    second = models.alexnet()  # another input size, from the cache: no second download
    assert calls == [True]
    np.testing.assert_array_equal(
        second.get_layer("features_10").kernel.numpy(), first.get_layer("features_10").kernel.numpy()
    )
    np.testing.assert_array_equal(second.get_layer("features_0").bias.numpy(), net.features[0].bias.detach().numpy())


def test_failed_download_says_so_and_shows_the_cause(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def unreachable(progress):
        raise OSError("HTTP Error 503: Service Unavailable")

    fake_torchvision(monkeypatch, unreachable)
    with pytest.raises(
        WeightsNotFoundError, match=r"downloading torchvision's ResNet34_Weights.IMAGENET1K_V1 failed: .*503"
    ):
        models.resnet34(input_shape=(64, 64, 3))
    assert not (tmp_path / "models" / "resnet34_torchvision.weights.h5").exists()


def test_imagenet_offline_without_torchvision_names_the_three_ways(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr("practicas.transfer.torchvision_weights._torchvision_installed", lambda: False)
    with pytest.raises(WeightsNotFoundError) as error:
        models.resnet34(input_shape=(64, 64, 3))
    message = str(error.value)
    assert "pip install torchvision" in message
    assert "weights='/path/to/resnet34.pth'" in message
    assert str(tmp_path / "models" / "resnet34_torchvision.weights.h5") in message
