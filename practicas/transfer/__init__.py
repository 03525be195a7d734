"""Practical 2: transfer learning (r000 section 3, r001 exercise 3, r003 exercise 3, r004).

- :mod:`practicas.transfer.models`: the builders: r003's MobileNet and EMNIST
  networks, r001's ResNet50 heads, r004's AlexNet, ResNet34 and EfficientNetB0
  with their heads (``weights="imagenet"`` by default; ``None`` for tests).
- :mod:`practicas.transfer.torchvision_weights`: torchvision's ImageNet weights for
  ResNet34 and AlexNet, converted.
- :mod:`practicas.transfer.finetune`: two-phase training (frozen head, then fine-tuning).
- :mod:`practicas.transfer.features`: a frozen network as a scikit-learn step (+ linear SVM).
- :mod:`practicas.transfer.artifacts`: the producers of every Practical 2 figure and table.
"""
