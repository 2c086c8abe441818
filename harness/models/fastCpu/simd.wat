;; Float32 loops of the fast-cpu backend in WebAssembly SIMD (four lanes at a time, then one at a time).
;;
;; Assembled at development time, never on the user's machine:
;;   npm run build:simd   (tsx harness/models/fastCpu/buildSimd.ts: wabt's wat2wasm, then base64 into simdModule.ts)
;;
;; The memory is imported, so one compiled module serves the shared scratch memory of the elementwise
;; kernels and, separately, each AdamW optimiser's own memory. Offsets are byte offsets, counts are elements.
;; WebAssembly's f32 arithmetic is IEEE single precision with round-to-nearest, which for + - * / and sqrt of
;; float32 operands gives the same values as JavaScript's double arithmetic rounded to float32 (the cpu
;; backend's results). f32.max and f32x4.max return NaN when an operand is NaN and +0 for max(-0, +0), as
;; JavaScript's Math.max does.
(module
  (import "env" "memory" (memory 1))

  ;; out[i] = max(x[i], 0)
  (func (export "relu") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.max (v128.load (i32.add (local.get $x) (local.get $i))) (v128.const f32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.max (f32.load (i32.add (local.get $x) (local.get $i))) (f32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; out[i] = x[i] > 0 ? 1 : alpha, and NaN where x[i] is NaN
  (func (export "step") (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $v v128) (local $alphas v128) (local $s f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $alphas (f32x4.splat (local.get $alpha)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          ;; NaN lanes keep x (NaN); others pick 1 where x > 0, alpha elsewhere.
          (v128.bitselect
            (local.get $v)
            (v128.bitselect
              (v128.const f32x4 1 1 1 1)
              (local.get $alphas)
              (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
            (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select
            (local.get $s)
            (select (f32.const 1) (local.get $alpha) (f32.gt (local.get $s) (f32.const 0)))
            (f32.ne (local.get $s) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; out[i] = dy[i] * step(x[i]) with alpha 0: the gradient of relu(x), as mul(dy, step(x)) computes it
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $v v128) (local $s f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (v128.load (i32.add (local.get $dy) (local.get $i)))
            (v128.bitselect
              (local.get $v)
              (v128.and (v128.const f32x4 1 1 1 1) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
              (f32x4.ne (local.get $v) (local.get $v)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul
            (f32.load (i32.add (local.get $dy) (local.get $i)))
            (select
              (local.get $s)
              (select (f32.const 1) (f32.const 0) (f32.gt (local.get $s) (f32.const 0)))
              (f32.ne (local.get $s) (local.get $s)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; Binary ops on two vectors: out[i] = a[i] op b[i]
  (func (export "addVV") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "subVV") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "mulVV") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "divVV") (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.div (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.div (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; Binary ops of a vector and a constant: out[i] = a[i] op s, or (the "SV" forms) s op b[i]
  (func (export "addVS") (param $a i32) (param $s f32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $splat)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "subVS") (param $a i32) (param $s f32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $splat)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "mulVS") (param $a i32) (param $s f32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $splat)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "divVS") (param $a i32) (param $s f32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.div (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $splat)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.div (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "subSV") (param $s f32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.sub (local.get $splat) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.sub (local.get $s) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  (func (export "divSV") (param $s f32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vectorEnd i32) (local $end i32) (local $splat v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $splat (f32x4.splat (local.get $s)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.div (local.get $splat) (v128.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.div (local.get $s) (f32.load (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; One AdamW step in place over n parameters (PyTorch's torch.optim.AdamW, foreach=False, in float32):
  ;;   w ← w·decay;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g·g;  w ← w − (stepSize·m) / (sqrt(v)/bc2 + ε)
  (func (export "adamw") (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $decay f32) (param $beta1 f32) (param $beta2 f32) (param $oneMinusBeta1 f32) (param $oneMinusBeta2 f32)
    (param $bc2 f32) (param $eps f32) (param $stepSize f32)
    (local $i i32) (local $vectorEnd i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $decayV v128) (local $beta1V v128) (local $beta2V v128) (local $c1V v128) (local $c2V v128)
    (local $bc2V v128) (local $epsV v128) (local $stepV v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vectorEnd (i32.and (local.get $end) (i32.const -16)))
    (local.set $decayV (f32x4.splat (local.get $decay)))
    (local.set $beta1V (f32x4.splat (local.get $beta1)))
    (local.set $beta2V (f32x4.splat (local.get $beta2)))
    (local.set $c1V (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $c2V (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $bc2V (f32x4.splat (local.get $bc2)))
    (local.set $epsV (f32x4.splat (local.get $eps)))
    (local.set $stepV (f32x4.splat (local.get $stepSize)))
    (block $vectorDone
      (loop $vector
        (br_if $vectorDone (i32.ge_u (local.get $i) (local.get $vectorEnd)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $beta1V))
            (f32x4.mul (local.get $gv) (local.get $c1V))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $beta2V))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $c2V))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $w) (local.get $i))
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $i))) (local.get $decayV))
            (f32x4.div
              (f32x4.mul (local.get $stepV) (local.get $mv))
              (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $bc2V)) (local.get $epsV)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector)))
    (block $done
      (loop $scalar
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $beta1))
            (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $beta2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
        (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $w) (local.get $i))
          (f32.sub
            (f32.mul (f32.load (i32.add (local.get $w) (local.get $i))) (local.get $decay))
            (f32.div
              (f32.mul (local.get $stepSize) (local.get $ms))
              (f32.add (f32.div (f32.sqrt (local.get $vs)) (local.get $bc2)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $scalar))))

  ;; acc[j] += x[r*cols + j] for r < rows and j < cols, accumulated in double precision (acc holds f64 values):
  ;; the column sums of a row-major block, as the cpu backend's Sum accumulates them
  (func (export "sumRowsF64") (param $x i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $row i32) (local $pairEnd i32)
    (local.set $pairEnd (i32.and (local.get $cols) (i32.const -2)))
    (local.set $row (local.get $x))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (local.get $j) (local.get $pairEnd)))
            (v128.store (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3)))
              (f64x2.add
                (v128.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $cols))
          (then
            (f64.store (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3)))
              (f64.add
                (f64.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))))
                (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))))))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; out[j] = acc[j] rounded to float32, then acc[j] = 0
  (func (export "demoteF64") (param $acc i32) (param $out i32) (param $n i32)
    (local $j i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))))))
        (f64.store (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each))))

  ;; exp of four lanes, after Cephes' expf (Moshier): x = n·ln 2 + r, exp(r) by a degree-6 polynomial, then
  ;; times 2^n as two powers of two (so that results down to the float32 denormals, x > −103.97, come out
  ;; right). Relative error within 2 ulp of the correctly rounded exp; +inf above 88.72, 0 below −103.97, NaN
  ;; stays NaN.
  (func $expV (param $x v128) (result v128)
    (local $fx v128) (local $z v128) (local $y v128) (local $n v128) (local $half v128)
    ;; clamp (NaN passes through f32x4.min/max)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 89 89 89 89)) (v128.const f32x4 -104 -104 -104 -104)))
    (local.set $fx (f32x4.floor (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341)) (v128.const f32x4 0.5 0.5 0.5 0.5))))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $x (f32x4.sub (local.get $x) (f32x4.mul (local.get $fx) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $y (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $x)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (local.get $z)) (local.get $x)) (v128.const f32x4 1 1 1 1)))
    ;; 2^n = 2^h · 2^(n−h) with h = n >> 1, each a normal float32: bits (k + 127) << 23
    (local.set $n (i32x4.trunc_sat_f32x4_s (local.get $fx)))
    (local.set $half (i32x4.shr_s (local.get $n) (i32.const 1)))
    (f32x4.mul
      (f32x4.mul (local.get $y) (i32x4.shl (i32x4.add (local.get $half) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
      (i32x4.shl (i32x4.add (i32x4.sub (local.get $n) (local.get $half)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; out[i] = exp(x[i]); n a multiple of 4 is not required (the last lanes read and write past n within the region)
  (func (export "exp") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $i)) (call $expV (v128.load (i32.add (local.get $x) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector))))

  ;; out[i] = erf(x[i]) by Abramowitz and Stegun 7.1.26, as tfjs-backend-cpu computes it (sign · (1 − poly(t)·exp(−x²)),
  ;; t = 1/(1 + p|x|)), in float32; ±0 stays ±0 and NaN stays NaN. Same over-read as exp.
  (func (export "erf") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128) (local $a v128) (local $t v128) (local $poly v128) (local $sign v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $vector
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $a (f32x4.abs (local.get $v)))
        (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911) (local.get $a)))))
        (local.set $poly (f32x4.add (f32x4.mul (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429) (local.get $t)) (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
        (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
        (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
        (local.set $poly (f32x4.mul (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)) (local.get $t)))
        ;; sign(x) as 1 or −1 (zeros and NaN are handled below)
        (local.set $sign (v128.or (v128.const f32x4 1 1 1 1) (v128.and (local.get $v) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.bitselect
            (local.get $v)
            (f32x4.mul
              (local.get $sign)
              (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $poly) (call $expV (f32x4.neg (f32x4.mul (local.get $a) (local.get $a)))))))
            ;; x itself where x is ±0 or NaN
            (v128.or (f32x4.eq (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $v) (local.get $v)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vector))))
)
