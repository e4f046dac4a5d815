"""The demo model's architecture: HF transformers' own Qwen2MoeForCausalLM, sized for a 2-core CPU."""
from __future__ import annotations

from transformers import Qwen2MoeConfig

EOS_ID = 0  # <|endoftext|> is the tokenizer's first (and only) special token


def demo_config(vocab_size: int = 8192) -> Qwen2MoeConfig:
    return Qwen2MoeConfig(
        vocab_size=vocab_size,
        hidden_size=160,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        intermediate_size=384,  # unused: every layer is sparse (decoder_sparse_step=1)
        moe_intermediate_size=128,
        shared_expert_intermediate_size=192,
        num_experts=16,
        num_experts_per_tok=2,
        norm_topk_prob=False,  # as Qwen1.5-MoE
        decoder_sparse_step=1,
        mlp_only_layers=[],
        max_position_embeddings=512,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        use_sliding_window=False,
        output_router_logits=False,
        router_aux_loss_coef=0.02,  # stage 1; train.py --aux-coef sets each stage's weight
        bos_token_id=EOS_ID,
        eos_token_id=EOS_ID,
        pad_token_id=EOS_ID,
    )
