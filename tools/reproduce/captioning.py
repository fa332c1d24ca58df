"""The measures compared between the models of a captioning run, read from
one (seed, model) result of its meta.json. Standard library only: also
used by tools/caption-compare.py."""


def caption_measures(result):
    """name -> (value, higher is better) of one captioning (seed, model)."""
    out = {"val bits/word": (result["best_val_bits_per_word"], False),
           "BLEU-4": (result["val_bleu"]["bleu4"], True)}
    for bucket in result["val_bleu_by_length"]:
        out["BLEU-4 " + bucket["bucket"]] = (bucket["bleu4"], True)
    shuffled = result["val_shuffled_images"]
    out["shuffled bits/word"] = (shuffled["bits_per_word"], False)
    out["shuffled BLEU-4"] = (shuffled["bleu"]["bleu4"], True)
    return out
